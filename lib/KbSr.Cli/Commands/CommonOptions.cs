using System.CommandLine;
using System.Globalization;

namespace KbSr.Cli.Commands;

/// <summary>Options that several commands share, spelled the same way everywhere.</summary>
internal static class CommonOptions
{
    public static Option<string> Sets(string defaults = "Set5,Set14,BSDS100") =>
        new("--sets") { Description = "Comma-separated test-set folders under the data root", DefaultValueFactory = _ => defaults };

    public static Option<string> Sigmas(string defaults) =>
        new("--sigmas") { Description = "Comma-separated kernel widths σ (HR pixels); 0 = no blur", DefaultValueFactory = _ => defaults };

    public static Option<int> Scale() =>
        new("--scale") { Description = "Super-resolution factor", DefaultValueFactory = _ => 4 };

    public static Option<string?> Data() =>
        new("--data") { Description = "Data root (default: $KBSR_DATA, else data/datasets)" };

    public static Option<string?> Device() =>
        new("--device") { Description = "cpu, cuda, cuda:N or auto (default: $KBSR_DEVICE, else auto)" };

    public static IReadOnlyList<string> List(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Kernel widths σ, each checked against <see cref="Evaluation.EvalOptions.CheckSigma"/>.</summary>
    public static IReadOnlyList<double> ParseSigmas(string text, string option = "--sigmas")
    {
        var values = List(text).Select(s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)
            ? Evaluation.EvalOptions.CheckSigma(v, option)
            : throw new ArgumentException($"{option}: '{s}' is not a number")).ToList();
        return values.Count > 0 ? values : throw new ArgumentException($"{option}: no value given");
    }
}
