package io.kfboot.cli;

import io.kfboot.core.Durations;
import io.kfboot.core.KfbootException;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code 500ms}, {@code 90s}, {@code 10m}, {@code 1h} for every duration flag; absurd values are
 * usage errors.
 */
final class DurationConverter implements ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    try {
      return Durations.parse("the value", value);
    } catch (KfbootException e) {
      throw new TypeConversionException("'" + value + "' is no duration kfboot takes: " + e.fix());
    }
  }
}
