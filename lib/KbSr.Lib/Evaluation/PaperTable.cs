using System.Globalization;
using System.Text;

namespace KbSr.Evaluation;

/// <summary>One row of Table 1 / Table 2 in the paper's layout: each σ cell holds "Set5 / Set14 / BSDS100"
/// PSNR (dB, Y). <paramref name="Source"/> says where the numbers come from ("measured …" or "quoted from the paper").</summary>
public sealed record PaperTableRow(string Source, string Method, string Sigma02, string Sigma13, string Sigma26);

/// <summary>
/// The layout of the paper's Tables 1 and 2 (docs/method.md §6): rows are methods, columns σ = 0.2 / 1.3 / 2.6, each cell
/// Set5 / Set14 / BSDS100. Our measured rows and rows quoted from the paper are built separately, so a table can
/// never pass a quoted number off as a measurement.
/// </summary>
public static class PaperTable
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static IReadOnlyList<double> Sigmas { get; } = [0.2, 1.3, 2.6];
    public static IReadOnlyList<string> Sets { get; } = ["Set5", "Set14", "BSDS100"];

    /// <summary>A quoted row from its nine PSNRs in the paper's reading order (σ = 0.2: Set5, Set14, BSDS100; then σ = 1.3; then 2.6).</summary>
    public static PaperTableRow Quoted(string method, IReadOnlyList<double> psnr, string source = "quoted from the paper")
    {
        if (psnr.Count != 9) throw new ArgumentException($"{method}: expected 9 PSNRs (3 σ × 3 sets), got {psnr.Count}", nameof(psnr));
        string Cell(int s) => string.Join(" / ", psnr.Skip(3 * s).Take(3).Select(v => v.ToString("0.00", Inv)));
        return new PaperTableRow(source, method, Cell(0), Cell(1), Cell(2));
    }

    /// <summary>One row per method of <paramref name="results"/>: mean PSNR on Y per set and σ; "–" where a set or σ was not evaluated.</summary>
    public static IReadOnlyList<PaperTableRow> Measured(EvalResults results, string source = "measured (this run)")
    {
        ArgumentNullException.ThrowIfNull(results);
        var summary = results.Summary();
        string Cell(string method, double sigma) => string.Join(" / ", Sets.Select(set =>
            summary.FirstOrDefault(r => r.Method == method && r.Set == set && r.SigmaLabel == EvalResults.SigmaLabel(sigma)) is { } row
                ? row.PsnrY.ToString("0.00", Inv) : "–"));
        return summary.Select(r => r.Method).Distinct()
            .Select(m => new PaperTableRow(source, m, Cell(m, Sigmas[0]), Cell(m, Sigmas[1]), Cell(m, Sigmas[2])))
            .ToList();
    }

    /// <summary>The rows as a Markdown table under <paramref name="title"/>.</summary>
    public static string ToMarkdown(string title, IEnumerable<PaperTableRow> rows)
    {
        var sb = new StringBuilder().AppendLine(title).AppendLine()
            .AppendLine("| source | method | σ=0.2 | σ=1.3 | σ=2.6 |").AppendLine("|---|---|---|---|---|");
        foreach (var r in rows) sb.AppendLine($"| {r.Source} | {r.Method} | {r.Sigma02} | {r.Sigma13} | {r.Sigma26} |");
        return sb.ToString();
    }
}
