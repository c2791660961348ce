package io.kfboot.cli;

import io.kfboot.manifests.vendor.VendorResult;
import io.kfboot.platform.PlatformSettings;
import io.kfboot.platform.SettingsInput;
import io.kfboot.platform.Vendoring;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kfboot manifests vendor}: an offline bundle with remote bases fetched in. */
@Command(
    name = "vendor",
    mixinStandardHelpOptions = true,
    description =
        "Fetch the remote bases of a release (git repositories or files over HTTP), rewrite the"
            + " kustomizations to local copies, and write a tarball that --manifests accepts"
            + " offline.")
final class VendorCommand extends BaseCommand {
  @Mixin Options.Release release = new Options.Release();

  @Option(
      names = "--out",
      required = true,
      paramLabel = "FILE",
      description = "The bundle to write (.tar.gz).")
  Path out;

  @Option(
      names = "--url-rewrite",
      paramLabel = "FROM=TO",
      description = "Fetch URLs starting with FROM from TO instead (a mirror); repeatable.")
  List<String> urlRewrites = new ArrayList<>();

  VendorCommand(Main.Context context) {
    super(context);
  }

  @Override
  void input(SettingsInput in) {
    release.into(in);
  }

  @Override
  int run(PlatformSettings settings) {
    VendorResult result = Vendoring.vendor(settings, out, urlRewrites, listener(settings));
    StringBuilder sb = new StringBuilder();
    for (VendorResult.VendoredSource s : result.sources()) {
      sb.append("vendored ")
          .append(s.url())
          .append(" -> ")
          .append(s.path())
          .append(" (")
          .append(s.resolved())
          .append(")\n");
    }
    sb.append("wrote ")
        .append(result.bundle())
        .append(" sha256 ")
        .append(result.sha256())
        .append('\n');
    sb.append("use it with: kfboot plan --manifests ")
        .append(result.bundle())
        .append(" --sha256 ")
        .append(result.sha256());
    print(sb.toString());
    return ExitCodes.OK;
  }
}
