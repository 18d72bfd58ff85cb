package dev.spillway.server.config;

import static java.util.Objects.requireNonNull;

import java.util.function.Function;

/**
 * Replaces {@code ${NAME}} and {@code ${NAME:default}} in a config value with the variable's value, anywhere
 * in the string ({@code http://${HOST:127.0.0.1}:8000}). {@code $${} stands for a literal {@code ${}.
 * Substituted text is not scanned again, so a variable cannot inject another reference.
 *
 * <p>A variable that is set to the empty string counts as set: the default applies only when it is absent.
 */
final class EnvSubstitution {
  private final Function<String, String> env;

  /** {@code env} returns a variable's value, or {@code null} if it is not set. */
  EnvSubstitution(Function<String, String> env) {
    this.env = requireNonNull(env, "env");
  }

  /**
   * Returns {@code text} with every reference replaced.
   *
   * @throws IllegalArgumentException naming the variable that is unset or the reference that is malformed
   */
  String apply(String text) {
    return apply(text, false);
  }

  /**
   * Like {@link #apply(String)} for a secret such as an API key: error messages never quote the text or a
   * reference's default (which may be the secret itself); an unset variable is still named.
   */
  String applySecret(String text) {
    return apply(text, true);
  }

  private String apply(String text, boolean secret) {
    if (text.indexOf('$') < 0) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length());
    int i = 0;
    while (i < text.length()) {
      if (text.startsWith("$${", i)) {
        out.append("${");
        i += 3;
      } else if (text.startsWith("${", i)) {
        int close = text.indexOf('}', i + 2);
        if (close < 0) {
          throw new IllegalArgumentException(quote(text, secret) + " has an unclosed ${ (expected: ${NAME} or "
              + "${NAME:default}, or $${ for a literal ${)");
        }
        out.append(resolve(text.substring(i + 2, close), secret));
        i = close + 1;
      } else {
        out.append(text.charAt(i));
        i++;
      }
    }
    return out.toString();
  }

  private static String quote(String text, boolean secret) {
    return secret ? "the value (not shown, it is secret)" : "\"" + text + "\"";
  }

  private String resolve(String reference, boolean secret) {
    int colon = reference.indexOf(':');
    String name = colon < 0 ? reference : reference.substring(0, colon);
    if (!isValidName(name)) {
      throw new IllegalArgumentException((secret ? "a variable reference in the value (not shown, it is secret)"
          : "\"${" + reference + "}\"") + " is not a valid variable reference "
          + "(expected: ${NAME} or ${NAME:default}, NAME made of letters, digits and _)");
    }
    String value = env.apply(name);
    if (value != null) {
      return value;
    }
    if (colon >= 0) {
      return reference.substring(colon + 1);
    }
    throw new IllegalArgumentException("environment variable " + name + " is not set (expected: set it, or "
        + "give a default: ${" + name + ":default})");
  }

  private static boolean isValidName(String name) {
    if (name.isEmpty() || Character.isDigit(name.charAt(0))) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
