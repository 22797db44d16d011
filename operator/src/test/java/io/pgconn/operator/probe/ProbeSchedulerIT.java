package io.pgconn.operator.probe;

import static io.pgconn.operator.probe.ProbeFixtures.CANARY;
import static io.pgconn.operator.probe.ProbeFixtures.target;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgconn.operator.testenv.LocalPostgres;
import io.pgconn.operator.testenv.OperatorEnvironment;
import io.pgconn.operator.testenv.OperatorEnvironment.ControlPlane;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Probes run off the caller's thread, a bounded number at a time, one per server: a server that
 * never answers costs one worker and no caller any time.
 */
@OperatorEnvironment(
    controlPlane = ControlPlane.NONE,
    operator = false,
    postgres = 16,
    superuserPassword = CANARY + "-su")
class ProbeSchedulerIT {

  private static final int THREADS = 4;
  private final LocalPostgres pg;
  private ServerProbe probe;
  private ProbeScheduler scheduler;
  private SilentListener silent;

  ProbeSchedulerIT(LocalPostgres pg) {
    this.pg = pg;
  }

  @BeforeAll
  static void role(LocalPostgres pg) {
    pg.createRole("app", CANARY, null);
  }

  @BeforeEach
  void start() {
    probe = new ServerProbe(Clock.systemUTC());
    scheduler = new ProbeScheduler(probe, Clock.systemUTC(), THREADS);
    silent = new SilentListener();
  }

  @AfterEach
  void stop() {
    scheduler.close();
    probe.close();
    silent.close();
  }

  private ProbeTarget silentTarget(int i) {
    // A user per "policy": 50 distinct probes, none of which can share another's result.
    return target("127.0.0.1", silent.port(), "user" + i, CANARY, "postgres", "disable", 2);
  }

  @Test
  void fiftyProbesOfASilentServerNeitherBlockTheCallerNorTheHealthyServer() {
    AtomicInteger silentDone = new AtomicInteger();
    long[] requestNanos = new long[50];
    for (int i = 0; i < 50; i++) {
      long t0 = System.nanoTime();
      scheduler.request(silentTarget(i), silentDone::incrementAndGet);
      requestNanos[i] = System.nanoTime() - t0;
    }
    java.util.Arrays.sort(requestNanos);
    long slowestRequestNanos = requestNanos[49];
    // Synchronously, each of these would have taken the 2 s login timeout: the first call pays
    // for starting a worker thread, none pays for the server.
    assertThat(Duration.ofNanos(slowestRequestNanos))
        .as("slowest request()")
        .isLessThan(Duration.ofMillis(500));

    ProbeTarget healthy = target(pg, "app", CANARY, "postgres", "disable");
    CountDownLatch healthyDone = new CountDownLatch(1);
    long t0 = System.nanoTime();
    scheduler.request(healthy, healthyDone::countDown);
    await().atMost(Duration.ofSeconds(5)).until(() -> healthyDone.getCount() == 0);
    Duration healthyLatency = Duration.ofNanos(System.nanoTime() - t0);
    var latest = scheduler.latest(healthy, Duration.ofMinutes(1), Duration.ofMinutes(1));
    assertThat(latest)
        .hasValueSatisfying(l -> assertThat(l.result().ok()).as(l.result().message()).isTrue());
    assertThat(silentDone.get()).as("silent probes done while the healthy one ran").isLessThan(50);
    System.out.printf(
        "probe-scheduler: request() median %d us, slowest %d us; healthy probe %d ms"
            + " while 50 silent probes were pending%n",
        requestNanos[25] / 1000, slowestRequestNanos / 1000, healthyLatency.toMillis());

    // One worker for the silent server at a time: 50 probes x 2 s login timeout, one by one.
    assertThat(scheduler.peakRunning()).isLessThanOrEqualTo(THREADS);
    assertThat(silent.accepted()).isLessThanOrEqualTo(silentDone.get() + 1);
  }

  @Test
  void aSilentServerEndsInATimeoutForEveryCaller() {
    ConcurrentLinkedQueue<String> results = new ConcurrentLinkedQueue<>();
    ProbeTarget t = silentTarget(0);
    for (int i = 0; i < 5; i++) {
      scheduler.request(
          t,
          () ->
              results.add(
                  scheduler
                      .latest(t, Duration.ZERO, Duration.ofHours(1))
                      .orElseThrow()
                      .result()
                      .result()));
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> results.size() == 5);
    assertThat(results).containsOnly(FailureReason.ConnectTimeout.name());
    assertThat(scheduler.started()).as("one probe for five callers").isEqualTo(1);
  }

  @Test
  void callersOfOneTargetShareOneProbe() {
    ProbeTarget healthy = target(pg, "app", CANARY, "postgres", "disable");
    CountDownLatch done = new CountDownLatch(10);
    List<Boolean> startedOne = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      startedOne.add(scheduler.request(healthy, done::countDown));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> done.getCount() == 0);
    assertThat(scheduler.started()).isEqualTo(1);
    assertThat(startedOne.stream().filter(b -> b).count()).isEqualTo(1);
  }

  @Test
  void neverMoreThanTheThreadCountRunAtOnce() {
    List<SilentListener> servers = new ArrayList<>();
    try {
      AtomicInteger done = new AtomicInteger();
      for (int i = 0; i < 10; i++) {
        SilentListener s = new SilentListener();
        servers.add(s);
        scheduler.request(
            target("127.0.0.1", s.port(), "app", CANARY, "postgres", "disable", 1),
            done::incrementAndGet);
      }
      await().atMost(Duration.ofSeconds(2)).until(() -> scheduler.running() == THREADS);
      await().atMost(Duration.ofSeconds(30)).until(() -> done.get() == 10);
      assertThat(scheduler.peakRunning()).isEqualTo(THREADS);
    } finally {
      servers.forEach(SilentListener::close);
    }
  }
}
