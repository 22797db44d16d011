package io.pgconn.operator.reconciler;

import java.util.List;
import java.util.SortedMap;

/** Everything the target Secret will hold, its hash, and what the user should know about it. */
record RenderedContent(SortedMap<String, String> data, String hash, List<String> warnings) {}
