package io.pgconn.operator.budget;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A decision worded when read is the decision worded up front, read once or by many threads. */
class PoolDecisionTest {

  @Test
  void aDecisionWordedWhenReadEqualsOneWordedUpFront() {
    AtomicInteger worded = new AtomicInteger();
    PoolDecision lazy =
        PoolDecision.worded(
            3,
            2,
            40,
            true,
            () -> {
              worded.incrementAndGet();
              return "40 = 43 max - 3 reserved; 2 pods -> 3 each";
            },
            "",
            false);
    PoolDecision eager =
        new PoolDecision(3, 2, 40, true, "40 = 43 max - 3 reserved; 2 pods -> 3 each", "", false);

    assertThat(worded).hasValue(0);
    assertThat(lazy).isEqualTo(eager).hasSameHashCodeAs(eager).hasToString(eager.toString());
    assertThat(lazy.message()).isEqualTo(eager.message());
    assertThat(worded).as("worded once, then kept").hasValue(1);
    assertThat(lazy)
        .isNotEqualTo(new PoolDecision(3, 2, 40, true, "another text", "", false))
        .isNotEqualTo(new PoolDecision(4, 2, 40, true, eager.explanation(), "", false));
  }

  @Test
  void threadsReadingAtOnceAllGetTheSameText() throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(8);
    try {
      for (int round = 0; round < 200; round++) {
        String text = "explanation " + round;
        PoolDecision lazy = PoolDecision.worded(1, 1, 10, true, () -> new String(text), "", false);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<String>> reads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          reads.add(
              threads.submit(
                  () -> {
                    start.await();
                    return lazy.explanation();
                  }));
        }
        start.countDown();
        for (Future<String> read : reads) {
          assertThat(read.get(10, TimeUnit.SECONDS)).isEqualTo(text);
        }
      }
    } finally {
      threads.shutdownNow();
    }
  }
}
