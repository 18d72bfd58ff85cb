package dev.spillway.server.cli;

/**
 * Traps process signals through {@code sun.misc.Signal} (module {@code jdk.unsupported}, present on every
 * HotSpot JDK 17 to 25), looked up reflectively so the gateway still runs where it is missing.
 */
final class Signals {
  private Signals() {}

  /**
   * Runs {@code action} on a signal thread when any of {@code names} ({@code TERM}, {@code INT}) arrives instead
   * of the JVM's default exit; returns whether every signal could be trapped (not where the process inherited
   * it as ignored: the JVM leaves it so).
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
      Object ignored = handlerClass.getField("SIG_IGN").get(null);
      boolean all = true;
      for (String name : names) {
        // A signal the process inherited as ignored (nohup ignores HUP; a background job of a script, INT)
        // stays ignored: the JVM does not install the handler and hands back SIG_IGN.
        if (handle.invoke(null, create.newInstance(name), handler) == ignored) {
          all = false;
        }
      }
      return all;
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return false;
    }
  }
}
