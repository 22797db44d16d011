package io.pgconn.operator.budget;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * One server's budget divided among its policies (see {@link ServerShares}).
 *
 * <ul>
 *   <li>decisions: a decision per policy id, in no particular order;
 *   <li>terms: the terms of the wording of each decision, admitted or refused: none where the
 *       server is unknown;
 *   <li>calm: every policy on the server was admitted and fits at its floor (min, or fixed limit),
 *       no raise waits for peers, and every limit counts what pods may run within its capacity.
 *       Then a policy that writes exactly its decision (and whose pods may run that limit, or what
 *       they ran before if that was higher) leaves every decision of the server as it is, its own
 *       included: the division need not be computed again to find who else moved. Anything else (a
 *       refusal, a waiting raise, a floor that does not fit, a written limit other than the
 *       decision) may move peers and needs a new division.
 * </ul>
 *
 * <p>A calm division that keeps held limits may be {@link BudgetAllocator#extend extended} by a
 * newcomer: the result is the division of the server with the newcomer, without dividing again, and
 * it remembers which policies it added since each division it was extended from ({@link
 * #addedSince}), the only ones whose decision means anything new.
 */
public final class ServerDivision {

  private final Map<String, PoolDecision> decisions;
  private final Map<String, DecisionTerms> terms;
  private final boolean calm;

  /** The computation this division came from, when it may be extended; else null. */
  private final ServerShares shares;

  /** The divisions extended one from another, and this one's place among them. */
  private final Lineage lineage;

  private final int generation;

  /**
   * Copied into hash maps: an immutable {@code Map.copyOf} compares keys by {@code equals} at every
   * slot it probes, and ids of one length share most of their characters, so looking up each of a
   * thousand peers cost more than comparing their decisions.
   */
  public ServerDivision(
      Map<String, PoolDecision> decisions, Map<String, DecisionTerms> terms, boolean calm) {
    this(new HashMap<>(decisions), new HashMap<>(terms), calm, null, new Lineage(), 0);
  }

  /** Decisions whose wording has no terms recorded: each is compared by its text. */
  public ServerDivision(Map<String, PoolDecision> decisions, boolean calm) {
    this(decisions, Map.of(), calm);
  }

  /** Takes the maps as they are: the caller made them for this division alone. */
  private ServerDivision(
      Map<String, PoolDecision> decisions,
      Map<String, DecisionTerms> terms,
      boolean calm,
      ServerShares shares,
      Lineage lineage,
      int generation) {
    this.decisions = Collections.unmodifiableMap(decisions);
    this.terms = Collections.unmodifiableMap(terms);
    this.calm = calm;
    this.shares = shares;
    this.lineage = lineage;
    this.generation = generation;
  }

  /** A division just computed from {@code shares}, extendable if they allow it. */
  static ServerDivision divided(
      HashMap<String, PoolDecision> decisions,
      HashMap<String, DecisionTerms> terms,
      boolean calm,
      ServerShares shares) {
    return new ServerDivision(decisions, terms, calm, shares, new Lineage(), 0);
  }

  /**
   * This division with {@code id} added: {@code shares}, which hold it last, make each decision
   * when it is first read. Making them all up front cost every newcomer a pass over every peer,
   * when it reads its own decision and, later, each peer reads its own.
   */
  ServerDivision extendedBy(String id, ServerShares shares) {
    Lineage next = lineage.append(generation, id, this);
    int at = next == lineage ? generation + 1 : 0;
    Map<String, Integer> indexes = next.indexes();
    return new ServerDivision(
        new Decided<>(shares, indexes, WordedDecision::decision),
        new Decided<>(shares, indexes, WordedDecision::terms),
        true,
        shares,
        next,
        at);
  }

  public Map<String, PoolDecision> decisions() {
    return decisions;
  }

  public Map<String, DecisionTerms> terms() {
    return terms;
  }

  public boolean calm() {
    return calm;
  }

  ServerShares shares() {
    return shares;
  }

  /**
   * When this division was extended, one newcomer at a time, from {@code earlier} (or is it): the
   * ids added since, in order. Every other policy's decision means the same in both, numbers in its
   * text apart ({@link BudgetAllocator#extend}). Null when this division was not made that way from
   * {@code earlier}: then only a comparison of every decision tells.
   */
  public List<String> addedSince(ServerDivision earlier) {
    if (earlier.lineage != lineage || earlier.generation > generation) return null;
    return lineage.between(earlier.generation, generation);
  }

  /** Equal as the record it was: by decisions, terms and calm. */
  @Override
  public boolean equals(Object o) {
    return o instanceof ServerDivision d
        && calm == d.calm
        && decisions.equals(d.decisions)
        && terms.equals(d.terms);
  }

  @Override
  public int hashCode() {
    return Objects.hash(decisions, terms, calm);
  }

  @Override
  public String toString() {
    return "ServerDivision[decisions=" + decisions + ", terms=" + terms + ", calm=" + calm + "]";
  }

  /**
   * Ids added by extension, in order: the division at generation g holds the first g. Extensions
   * branch only when a division that is not the last is extended again; the branch starts a lineage
   * of its own. Also where each policy is among the shares of the lineage's divisions (the same
   * place in all of them: an extension adds its newcomer last), built at the first extension.
   */
  private static final class Lineage {
    private final List<String> added = new ArrayList<>();
    private Map<String, Integer> indexes;

    /**
     * This lineage with {@code id} added after generation g of {@code from}, or a new one if g is
     * not its last.
     */
    synchronized Lineage append(int generation, String id, ServerDivision from) {
      if (added.size() != generation) {
        Lineage branch = new Lineage();
        branch.indexFrom(from.shares);
        branch.indexes.put(id, from.shares.size());
        return branch;
      }
      if (indexes == null) indexFrom(from.shares);
      indexes.put(id, from.shares.size());
      added.add(id);
      return this;
    }

    private void indexFrom(ServerShares shares) {
      indexes = new ConcurrentHashMap<>(shares.size() * 2);
      for (int p = 0; p < shares.size(); p++) indexes.put(shares.idAt(p), p);
    }

    synchronized Map<String, Integer> indexes() {
      return indexes;
    }

    synchronized List<String> between(int from, int to) {
      return List.copyOf(added.subList(from, to));
    }
  }

  /**
   * The decisions (or their terms) of a division by extension, each made when first read. A
   * policy's index holds for every division of the lineage; one whose index is beyond these shares
   * joined a later division.
   */
  private static final class Decided<V> extends AbstractMap<String, V> {
    private final ServerShares shares;
    private final Map<String, Integer> indexes;
    private final Function<WordedDecision, V> part;

    Decided(ServerShares shares, Map<String, Integer> indexes, Function<WordedDecision, V> part) {
      this.shares = shares;
      this.indexes = indexes;
      this.part = part;
    }

    private int indexOf(Object id) {
      Integer p = indexes.get(id);
      return p == null || p >= shares.size() ? -1 : p;
    }

    @Override
    public V get(Object id) {
      int p = indexOf(id);
      return p < 0 ? null : part.apply(shares.decided(p));
    }

    @Override
    public boolean containsKey(Object id) {
      return indexOf(id) >= 0;
    }

    @Override
    public int size() {
      return shares.size();
    }

    @Override
    public Set<Entry<String, V>> entrySet() {
      return new AbstractSet<>() {
        @Override
        public Iterator<Entry<String, V>> iterator() {
          return new Iterator<>() {
            private int p;

            @Override
            public boolean hasNext() {
              return p < shares.size();
            }

            @Override
            public Entry<String, V> next() {
              if (!hasNext()) throw new NoSuchElementException();
              int at = p++;
              return new SimpleImmutableEntry<>(shares.idAt(at), part.apply(shares.decided(at)));
            }
          };
        }

        @Override
        public int size() {
          return shares.size();
        }
      };
    }
  }
}
