package dev.spillway.server.cli;

/**
 * Traps process signals through {@code sun.misc.Signal} (module {@code jdk.unsupported}, present on every
 * HotSpot JDK 17 to 25), looked up reflectively so the gateway still runs where it is missing.
 */
final class Signals {
  private Signals() {}

  /**
   * Runs {@code action} on a signal thread when any of {@code names} ({@code TERM}, {@code INT}) arrives instead
   * of the JVM's default exit; returns whether every signal could be trapped.
   */
  static boolean trap(Runnable action, String... names) {
    try {
      Class<?> signalClass = Class.forName("sun.misc.Signal");
      Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
      Object handler = java.lang.reflect.Proxy.newProxyInstance(Signals.class.getClassLoader(),
          new Class<?>[] {handlerClass}, (proxy, method, args) -> {
            if (method.getName().equals("handle")) {
              action.run();
              return null;
            }
            return switch (method.getName()) {
              case "hashCode" -> System.identityHashCode(proxy);
              case "equals" -> proxy == args[0];
              default -> "SpillwaySignalHandler";
            };
          });
      java.lang.reflect.Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
      java.lang.reflect.Constructor<?> create = signalClass.getConstructor(String.class);
      for (String name : names) {
        handle.invoke(null, create.newInstance(name), handler);
      }
      return true;
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return false;
    }
  }
}
