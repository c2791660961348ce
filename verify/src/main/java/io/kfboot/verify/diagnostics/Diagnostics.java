package io.kfboot.verify.diagnostics;

import java.util.Collection;

/** Explains, as text, why things in some namespaces are not ready. */
public interface Diagnostics {
  Diagnostics NONE = namespaces -> "";

  String describe(Collection<String> namespaces);
}
