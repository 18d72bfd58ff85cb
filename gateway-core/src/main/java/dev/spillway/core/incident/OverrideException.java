package dev.spillway.core.incident;

/**
 * An incident control that cannot be applied: a bad value (naming the field), an unknown name, or a target that
 * has nothing to override. The admin API answers 400, 404 and 409 respectively.
 */
public final class OverrideException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What is wrong with the request. */
  public enum Problem {
    INVALID,
    NOT_FOUND,
    CONFLICT
  }

  private final Problem problem;
  private final String field;

  public OverrideException(Problem problem, String field, String message) {
    super(message);
    this.problem = problem;
    this.field = field;
  }

  public Problem problem() {
    return problem;
  }

  /** The request field or path segment at fault. */
  public String field() {
    return field;
  }

  static OverrideException invalid(String field, String message) {
    return new OverrideException(Problem.INVALID, field, field + ": " + message);
  }

  static OverrideException notFound(String field, String message) {
    return new OverrideException(Problem.NOT_FOUND, field, message);
  }
}
