package io.pgconn.operator.budget;

/**
 * Resolves a Deployment's maxSurge the way the Deployment controller does: a percentage of the
 * desired replicas rounded up, or an absolute number. Default 25%.
 */
public final class RolloutSurge {

  private RolloutSurge() {}

  /**
   * @param maxSurge "25%", "2", or null for the default
   */
  public static int resolve(String maxSurge, int replicas) {
    if (replicas < 0) throw new IllegalArgumentException("negative replicas: " + replicas);
    String value = maxSurge == null || maxSurge.isBlank() ? "25%" : maxSurge.strip();
    if (value.endsWith("%")) {
      long percent = Long.parseLong(value.substring(0, value.length() - 1).strip());
      if (percent < 0) throw new IllegalArgumentException("negative maxSurge: " + maxSurge);
      // Integer ceiling: no floating point, so 25% of 10 is exactly 3 (2.5 rounded up).
      return Math.toIntExact((replicas * percent + 99) / 100);
    }
    int surge = Integer.parseInt(value);
    if (surge < 0) throw new IllegalArgumentException("negative maxSurge: " + maxSurge);
    return surge;
  }
}
