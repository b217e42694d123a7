using System.Globalization;
using System.Text;
using KbSr.Evaluation;
using KbSr.Model;

namespace KbSr.Cli.Commands;

/// <summary>Evaluation results as a plain aligned table for the terminal (one row per method × set × σ).</summary>
internal static class ResultPrinter
{
    public static string PlainTable(EvalResults results)
    {
        var inv = CultureInfo.InvariantCulture;
        var rows = results.Summary();
        int mw = Math.Max(6, rows.Max(r => r.Method.Length));
        int sw = Math.Max(3, rows.Max(r => r.Set.Length));
        var sb = new StringBuilder();
        bool costs = results.Costs.Count > 0;
        sb.AppendLine($"{"method".PadRight(mw)}  {"set".PadRight(sw)}  {"σ",5}  {"n",4}  {"PSNR-Y",7}  {"SSIM-Y",7}  {"K-L1",6}" +
                      (costs ? $"  {"params",8}  {"MFLOP/px",8}" : ""));
        foreach (var r in rows)
            sb.AppendLine($"{r.Method.PadRight(mw)}  {r.Set.PadRight(sw)}  {r.SigmaLabel,5}  {r.Images,4}  " +
                          $"{r.PsnrY.ToString("0.00", inv),7}  {r.SsimY.ToString("0.0000", inv),7}  {(r.KernelL1?.ToString("0.000", inv) ?? "–"),6}" +
                          (!costs ? "" : results.Costs.TryGetValue(r.Method, out var c)
                              ? $"  {EvalResults.FormatParameters(c.Parameters),8}  {(c.FlopsPerLrPixel / 1e6).ToString("0.00", inv),8}"
                              : $"  {"–",8}  {"–",8}"));
        return sb.ToString();
    }

    /// <summary>Mean PSNR on Y of every KB stage's SR_t, for methods that report stages, with what eq. 3 asks of each
    /// stage (only some are trained towards HR, so the column is not expected to rise with t).</summary>
    public static string StageTable(EvalResults results)
    {
        var inv = CultureInfo.InvariantCulture;
        var rows = results.Summary().Where(r => r.StagePsnrY is not null).ToList();
        if (rows.Count == 0) return "";
        var sb = new StringBuilder("PSNR-Y per stage t (SR_t):\n");
        foreach (var r in rows)
            sb.AppendLine($"  {r.Method} {r.Set} σ={r.SigmaLabel}: " +
                          string.Join("  ", r.StagePsnrY!.Select((p, t) => $"t{t + 1} {p.ToString("0.00", inv)}")) +
                          $"  → final {r.PsnrY.ToString("0.00", inv)}");
        foreach (int stages in rows.Select(r => r.StagePsnrY!.Count).Distinct())
            sb.AppendLine($"  KB-SR with T = {stages}: {StageSupervision.Describe(stages)}");
        var kernels = results.StageKernelMeans();
        if (kernels.Count > 0) sb.AppendLine("Σ|K_t − K_true| per stage t:");
        foreach (var r in kernels)
            sb.AppendLine($"  {r.Method} {r.Set} σ={r.SigmaLabel}: " + string.Join("  ", r.Means.Select((k, t) => $"t{t + 1} {k.ToString("0.000", inv)}")));
        return sb.ToString();
    }
}
