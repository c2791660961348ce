package io.kfboot.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Output in the documented formats. The banner sample follows nvidia-smi 535's layout; the CSV
 * lines follow `--format=csv,noheader,nounits` (fields separated by ", "). No GPU was at hand to
 * capture them from.
 */
class NvidiaSmiTest {
  static final String CSV =
      """
      0, NVIDIA A100-SXM4-40GB, GPU-5e9a2b3c-1d2e-4f5a-8b9c-0d1e2f3a4b5c, 535.104.05, 40960
      1, NVIDIA A100-SXM4-40GB, GPU-6f0b3c4d-2e3f-5a6b-9c0d-1e2f3a4b5c6d, 535.104.05, 40960
      """;

  static final String BANNER =
      """
      Tue Nov 21 10:12:01 2026
      +---------------------------------------------------------------------------------------+
      | NVIDIA-SMI 535.104.05             Driver Version: 535.104.05   CUDA Version: 12.2     |
      |-----------------------------------------+----------------------+----------------------+
      | GPU  Name                 Persistence-M | Bus-Id        Disp.A | Volatile Uncorr. ECC |
      """;

  @Test
  void gpusFromTheCsvQuery() {
    List<NvidiaSmi.Gpu> gpus = NvidiaSmi.parseGpus(CSV);
    assertThat(gpus).hasSize(2);
    assertThat(gpus.get(1))
        .isEqualTo(
            new NvidiaSmi.Gpu(
                1,
                "NVIDIA A100-SXM4-40GB",
                "GPU-6f0b3c4d-2e3f-5a6b-9c0d-1e2f3a4b5c6d",
                "535.104.05",
                40960));
    assertThat(NvidiaSmi.parseGpus("\n")).isEmpty();
  }

  @Test
  void cudaVersionFromTheBanner() {
    assertThat(NvidiaSmi.cudaVersion(BANNER)).isEqualTo("12.2");
    assertThat(
            NvidiaSmi.cudaVersion(
                "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver."))
        .isNull();
    // the wider banner of the 550 drivers (two more columns of padding, 89 characters)
    assertThat(
            NvidiaSmi.cudaVersion(
                """
                +-----------------------------------------------------------------------------------------+
                | NVIDIA-SMI 550.127.05             Driver Version: 550.127.05     CUDA Version: 12.4     |
                |-----------------------------------------+------------------------+----------------------+
                """))
        .isEqualTo("12.4");
  }

  @Test
  void memoryTheDriverDoesNotReportIsZero() {
    assertThat(
            NvidiaSmi.parseGpus(
                    "0, NVIDIA A10-4Q, GPU-0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b, 550.127.05,"
                        + " [N/A]\n")
                .get(0)
                .memoryMiB())
        .isZero();
  }

  @Test
  void unexpectedOutputIsNamed() {
    assertThatThrownBy(() -> NvidiaSmi.parseGpus("0, Tesla T4"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0, Tesla T4");
    assertThatThrownBy(() -> NvidiaSmi.parseGpus("x, a, b, c, d"))
        .hasMessageContaining("no number");
  }
}
