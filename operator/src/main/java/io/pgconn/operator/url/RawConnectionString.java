package io.pgconn.operator.url;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a reader found, before the dialect-independent rules (structural keywords, ssl=true,
 * host/port pairing, parameter checks) turn it into a ConnectionString. Positions are kept so those
 * rules can still point at the offending text.
 */
final class RawConnectionString {

  /** Decoded text and where its raw form starts in the input. */
  record Located(String text, int position) {}

  /** A parameter's decoded name and value, and where each starts. */
  record Parameter(String name, int namePosition, String value, int valuePosition) {}

  final SourceKind kind;
  final List<Located> hosts = new ArrayList<>();
  final List<Located> ports = new ArrayList<>();
  String user;
  String password;
  String database;

  /** Where the raw user and database start, or -1 when they came from nowhere in particular. */
  int userPosition = -1;

  int databasePosition = -1;

  /** Later duplicates replace earlier ones (libpq's rule) but keep the first one's place. */
  final Map<String, Parameter> parameters = new LinkedHashMap<>();

  RawConnectionString(SourceKind kind) {
    this.kind = kind;
  }

  void addParameter(Parameter p) {
    parameters.put(p.name(), p);
  }
}
