package io.kfboot.gpu;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code nvidia-smi} says about a host's GPUs. kfboot asks for CSV ({@link #QUERY}), whose
 * columns NVIDIA documents as stable, and reads the CUDA version from the banner of plain {@code
 * nvidia-smi}, the only place it is printed.
 */
public final class NvidiaSmi {
  /** Arguments of the CSV query whose output {@link #parseGpus} reads. */
  public static final List<String> QUERY =
      List.of(
          "--query-gpu=index,name,uuid,driver_version,memory.total",
          "--format=csv,noheader,nounits");

  private static final Pattern CUDA = Pattern.compile("CUDA Version:\\s*([0-9]+\\.[0-9]+)");

  /**
   * @param memoryMiB total memory as nvidia-smi reports it with nounits; 0 where it reports none
   */
  public record Gpu(int index, String name, String uuid, String driverVersion, long memoryMiB) {}

  private NvidiaSmi() {}

  public static List<Gpu> parseGpus(String csv) {
    List<Gpu> gpus = new ArrayList<>();
    for (String line : csv.strip().split("\\R")) {
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split(",\\s*");
      if (f.length != 5) {
        throw new IllegalArgumentException(
            "nvidia-smi printed an unexpected line (5 fields wanted): " + line);
      }
      try {
        // "[N/A]" where the driver does not report it (vGPU profiles, some Grace Hopper setups)
        String memory = f[4].trim();
        gpus.add(
            new Gpu(
                Integer.parseInt(f[0].trim()),
                f[1].trim(),
                f[2].trim(),
                f[3].trim(),
                memory.equals("[N/A]") ? 0 : Long.parseLong(memory)));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "nvidia-smi printed an unexpected line (index or memory is no number): " + line, e);
      }
    }
    return List.copyOf(gpus);
  }

  /** "12.2" from the banner's "CUDA Version: 12.2", or null when the banner has none. */
  public static String cudaVersion(String banner) {
    Matcher m = CUDA.matcher(banner);
    return m.find() ? m.group(1) : null;
  }
}
