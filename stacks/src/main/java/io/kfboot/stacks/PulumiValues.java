package io.kfboot.stacks;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rendered YAML as Pulumi's serializer takes it. SnakeYAML reads big integers as Long or BigInteger
 * (Istio's CRDs carry int64 bounds such as 4294967295) and timestamps as Date; Pulumi's Java
 * serializer refuses both ("Type 'Long' is not a supported argument type"). Pulumi numbers are
 * doubles on the wire anyway: integers that fit an int stay Integer, others become Double, dates
 * become their ISO text.
 */
final class PulumiValues {
  private PulumiValues() {}

  static Object of(Object value) {
    if (value instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, v) -> out.put(String.valueOf(k), of(v)));
      return out;
    }
    if (value instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      l.forEach(v -> out.add(of(v)));
      return out;
    }
    if (value instanceof Long || value instanceof BigInteger || value instanceof BigDecimal) {
      Number n = (Number) value;
      return n.longValue() >= Integer.MIN_VALUE
              && n.longValue() <= Integer.MAX_VALUE
              && !(value instanceof BigDecimal)
          ? (Object) n.intValue()
          : (Object) n.doubleValue();
    }
    if (value instanceof Float f) {
      return f.doubleValue();
    }
    if (value instanceof Date d) {
      return d.toInstant().toString();
    }
    return value;
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> objects(List<Map<String, Object>> bodies) {
    return bodies.stream().map(b -> (Map<String, Object>) of(b)).toList();
  }
}
