package io.pgconn.operator.budget;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What one server's probes saw in pg_stat_activity over the last few probe slots, and how much of
 * it the pools must make room for: only usage that was there in every slot of the window. A burst
 * from clients no policy lists (a migration, a psql session, the incident itself) therefore does
 * not shrink pools, which would restart workloads and add surge pods exactly when slots are short;
 * and when the burst ends, the next reading lowers the minimum at once, so pools recover at the
 * first probe after it.
 *
 * <p>A slot is {@link #SLOT_MILLIS} long: readings closer together than that (several policies
 * probing the same server at once, peers woken together) share one slot, whose latest reading
 * counts. Usage is thus sustained when seen for at least {@code (SLOTS - 1) x SLOT_MILLIS} across
 * {@link #SLOTS} probes.
 *
 * <p>Until the window holds {@link #SLOTS} slots (the first 40 s after the operator starts), the
 * readings so far count: ignoring usage until then would raise every pool that makes room for a
 * steady client on each operator restart, and lower it again 40 s later, two rollouts each time.
 *
 * @param slots oldest first, at most {@link #SLOTS}
 */
public record UsageWindow(List<Slot> slots) {

  public static final int SLOTS = 3;
  public static final long SLOT_MILLIS = 20_000;

  /** The latest reading of one slot: connections by application_name as the server stored it. */
  public record Slot(long startMillis, Map<String, Integer> byApplication) {
    public Slot {
      byApplication = Map.copyOf(byApplication);
    }
  }

  public UsageWindow {
    slots = List.copyOf(slots);
  }

  public static UsageWindow empty() {
    return new UsageWindow(List.of());
  }

  /** The window with one more reading taken at {@code atMillis}. */
  public UsageWindow with(long atMillis, Map<String, Integer> byApplication) {
    List<Slot> next = new ArrayList<>(slots);
    Slot last = next.isEmpty() ? null : next.get(next.size() - 1);
    if (last != null
        && atMillis - last.startMillis() < SLOT_MILLIS
        && atMillis >= last.startMillis()) {
      next.set(next.size() - 1, new Slot(last.startMillis(), byApplication));
    } else {
      next.add(new Slot(atMillis, byApplication));
      while (next.size() > SLOTS) next.remove(0);
    }
    return new UsageWindow(next);
  }

  /**
   * Connections of clients that are none of {@code listed} in every slot (the minimum over the
   * window), beyond {@code reserve}: the reserve exists for exactly these clients, so only the
   * excess takes from the pools. Empty when nothing was read yet.
   *
   * @param listed application_name values as configured (each matched in every form a server stores
   *     it, see {@link StoredApplicationName}), including the operator's own probe
   */
  public OptionalInt sustainedUnlisted(Collection<String> listed, int reserve) {
    return sustainedUnlistedBeyond(storedForms(listed)::contains, reserve);
  }

  /**
   * Every form a server may store each of {@code listed} in: computed once for a server's policies,
   * it serves every reading until one of their names changes.
   */
  public static Set<String> storedForms(Collection<String> listed) {
    Set<String> stored = new HashSet<>();
    listed.forEach(name -> stored.addAll(StoredApplicationName.forms(name)));
    return stored;
  }

  /**
   * As {@link #sustainedUnlisted}, with {@code listed} telling a listed name in the form a server
   * stores it.
   */
  public OptionalInt sustainedUnlistedBeyond(Predicate<String> listed, int reserve) {
    if (slots.isEmpty()) return OptionalInt.empty();
    int min = Integer.MAX_VALUE;
    for (Slot slot : slots) {
      int unlisted =
          slot.byApplication().entrySet().stream()
              .filter(e -> !listed.test(e.getKey()))
              .mapToInt(Map.Entry::getValue)
              .sum();
      min = Math.min(min, unlisted);
    }
    return OptionalInt.of(Math.max(0, min - reserve));
  }
}
