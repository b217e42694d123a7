using System.Globalization;
using System.Text;

namespace KbSr.Evaluation;

/// <summary>Scores of one method on one image at one σ.</summary>
public sealed record ImageScore(string Method, string Set, double Sigma, string Image, double PsnrY, double SsimY,
    double? KernelL1 = null, double? KernelMse = null, IReadOnlyList<double>? StagePsnrY = null, double? KernelSpread = null,
    IReadOnlyList<double>? StageKernelL1 = null);

/// <summary>Mean scores of one method on one set at one σ (or over Gaussian8's σ: label "g8").</summary>
public sealed record SummaryRow(string Method, string Set, string SigmaLabel, int Images, double PsnrY, double SsimY,
    double? KernelL1, double? KernelMse, IReadOnlyList<double>? StagePsnrY);

/// <summary>An image that could not be evaluated: its set, file, the σ it failed at (null: before any σ, e.g. unreadable)
/// and why.</summary>
public sealed record SkippedImage(string Set, string File, double? Sigma, string Reason);

/// <summary>An evaluation stopped at an image that failed; <see cref="Partial"/> holds every score finished before it.</summary>
public sealed class EvaluationStoppedException(EvalResults partial, SkippedImage at, Exception inner)
    : IOException($"stopped at {at.File}" + (at.Sigma is { } s ? $" (σ {EvalResults.SigmaLabel(s)})" : "") + $": {at.Reason}", inner)
{
    public EvalResults Partial { get; } = partial;
    public SkippedImage At { get; } = at;
}

/// <summary>All scores of an evaluation run, with the tables made from them; images that were skipped
/// (<see cref="Skipped"/>) or the one the run stopped at (<see cref="StoppedAt"/>) are listed in every output.</summary>
public sealed class EvalResults(IReadOnlyList<ImageScore> images, bool gaussian8,
    IReadOnlyList<SkippedImage>? skipped = null, SkippedImage? stoppedAt = null)
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public IReadOnlyList<ImageScore> Images { get; } = images;

    /// <summary>Parameters and FLOPs per LR pixel of the methods that report them (by method name); the tables then
    /// print them beside each row.</summary>
    public IReadOnlyDictionary<string, MethodCost> Costs { get; init; } = new Dictionary<string, MethodCost>();

    /// <summary>Whether the scores are Gaussian8 averages ("g8" columns).</summary>
    public bool Gaussian8 => gaussian8;

    /// <summary>Images left out because they failed (<see cref="Evaluator.KeepGoing"/>).</summary>
    public IReadOnlyList<SkippedImage> Skipped { get; } = skipped ?? [];

    /// <summary>The image the run stopped at, when it did not finish (these results are then partial).</summary>
    public SkippedImage? StoppedAt { get; } = stoppedAt;

    public static string SigmaLabel(double sigma) => sigma.ToString("0.0##", Inv);

    /// <summary>Per-image PSNRs averaged over a set (docs/method.md §8.2), grouped by method, set and σ.</summary>
    public IReadOnlyList<SummaryRow> Summary() =>
        Images.GroupBy(r => (r.Method, r.Set, Label: gaussian8 ? "g8" : SigmaLabel(r.Sigma)))
            // Images counts images, not image × σ evaluations (a g8 cell holds 8 per image).
            .Select(g => new SummaryRow(g.Key.Method, g.Key.Set, g.Key.Label, g.Select(r => r.Image).Distinct().Count(),
                g.Average(r => r.PsnrY), g.Average(r => r.SsimY),
                g.All(r => r.KernelL1 is not null) ? g.Average(r => r.KernelL1!.Value) : null,
                g.All(r => r.KernelMse is not null) ? g.Average(r => r.KernelMse!.Value) : null,
                StageMeans(g.ToList())))
            .ToList();

    private static double[]? StageMeans(List<ImageScore> rows)
    {
        if (rows.Count == 0 || rows.Any(r => r.StagePsnrY is null)) return null;
        int stages = rows[0].StagePsnrY!.Count;
        return Enumerable.Range(0, stages).Select(t => rows.Average(r => r.StagePsnrY![t])).ToArray();
    }

    /// <summary>Markdown in the paper's layout: one row per method, one column per σ, each cell
    /// "Set5 / Set14 / BSDS100" PSNR (dB, Y); then the same for SSIM.</summary>
    public string ToMarkdown()
    {
        var summary = Summary();
        var sets = summary.Select(r => r.Set).Distinct().ToList();
        var sigmas = summary.Select(r => r.SigmaLabel).Distinct().ToList();
        var methods = summary.Select(r => r.Method).Distinct().ToList();
        var sb = new StringBuilder();
        if (StoppedAt is { } stop)
            sb.AppendLine($"**Incomplete**: the run stopped at {stop.File}: {stop.Reason}. The tables hold the evaluations finished before it.").AppendLine();
        void Table(string title, Func<SummaryRow, string> cell)
        {
            sb.AppendLine($"{title} — cells: {string.Join(" / ", sets)}").AppendLine();
            bool costs = Costs.Count > 0;
            sb.Append(costs ? "| method | params | MFLOP/LR px |" : "| method |")
              .AppendJoin("", sigmas.Select(s => s == "g8" ? " Gaussian8 |" : $" σ={s} |")).AppendLine();
            sb.Append(costs ? "|---|---|---|" : "|---|").AppendJoin("", sigmas.Select(_ => "---|")).AppendLine();
            foreach (var m in methods)
            {
                sb.Append($"| {m} |");
                if (costs)
                    sb.Append(Costs.TryGetValue(m, out var c)
                        ? $" {FormatParameters(c.Parameters)} | {(c.FlopsPerLrPixel / 1e6).ToString("0.00", Inv)} |"
                        : " – | – |");
                foreach (var s in sigmas)
                {
                    var cells = sets.Select(set => summary.FirstOrDefault(r => r.Method == m && r.Set == set && r.SigmaLabel == s))
                        .Select(r => r is null ? "–" : cell(r));
                    sb.Append(' ').AppendJoin(" / ", cells).Append(" |");
                }
                sb.AppendLine();
            }
            sb.AppendLine();
        }
        Table("PSNR (dB) on Y", r => r.PsnrY.ToString("0.00", Inv));
        Table("SSIM on Y", r => r.SsimY.ToString("0.0000", Inv));
        if (summary.Any(r => r.KernelL1 is not null))
            Table("Kernel L1 error (Σ|K − K_true|)", r => r.KernelL1?.ToString("0.000", Inv) ?? "–");
        var stageKernels = StageKernelMeans();
        if (stageKernels.Count > 0)
        {
            sb.AppendLine("## Kernel error at every stage").AppendLine();
            sb.AppendLine("Mean Σ|K_t − K_true| of the kernel each stage or iteration t gives (KB-SR: K_t; IKC: the code SR_t was made with, " +
                          "the Predictor's first; DAN: the Estimator's k_t after SR_t); per set and σ.").AppendLine();
            int most = stageKernels.Max(r => r.Means.Count);
            sb.Append("| method | set | σ |").AppendJoin("", Enumerable.Range(1, most).Select(t => $" t={t} |")).AppendLine();
            sb.Append("|---|---|---|").AppendJoin("", Enumerable.Range(1, most).Select(_ => "---|")).AppendLine();
            foreach (var r in stageKernels)
                sb.Append($"| {r.Method} | {r.Set} | {r.SigmaLabel} |").AppendJoin("", Enumerable.Range(0, most)
                    .Select(t => t < r.Means.Count ? $" {r.Means[t].ToString("0.000", Inv)} |" : " – |")).AppendLine();
            sb.AppendLine();
        }
        var following = KernelFollowing();
        if (following.Count > 0)
        {
            sb.AppendLine("## Does the kernel estimate follow the blur?").AppendLine();
            sb.AppendLine("Spearman's ρ between the estimated kernel's spread σ̂ (√ of its mean second moment, over its non-negative taps; σ for an isotropic Gaussian) " +
                          "and the true σ, over every image and σ of the run (1 = the estimates rank the blurs exactly; 0 = unrelated; " +
                          "a constant estimate has no ρ).").AppendLine();
            sb.AppendLine("| method | image × σ | Spearman ρ | σ̂ range |").AppendLine("|---|---|---|---|");
            foreach (var f in following)
                sb.AppendLine($"| {f.Method} | {f.Count} | {(double.IsNaN(f.Rho) ? "–" : f.Rho.ToString("0.000", Inv))} | {f.Min.ToString("0.00", Inv)}–{f.Max.ToString("0.00", Inv)} |");
            sb.AppendLine();
        }
        if (Skipped.Count > 0)
        {
            sb.AppendLine($"Skipped {Skipped.Count} image(s) that could not be evaluated (not in the means above):").AppendLine();
            foreach (var s in Skipped) sb.AppendLine($"- {s.Set}/{Path.GetFileName(s.File)}: {s.Reason}");
            sb.AppendLine();
        }
        return sb.ToString();
    }

    /// <summary>Per method, set and σ whose every image reports them: the mean kernel error of each stage.</summary>
    public IReadOnlyList<(string Method, string Set, string SigmaLabel, IReadOnlyList<double> Means)> StageKernelMeans() =>
        Images.GroupBy(r => (r.Method, r.Set, Label: gaussian8 ? "g8" : SigmaLabel(r.Sigma)))
            .Where(g => g.All(r => r.StageKernelL1 is { Count: > 0 }) && g.Select(r => r.StageKernelL1!.Count).Distinct().Count() == 1)
            .Select(g => (g.Key.Method, g.Key.Set, g.Key.Label,
                          (IReadOnlyList<double>)Enumerable.Range(0, g.First().StageKernelL1!.Count).Select(t => g.Average(r => r.StageKernelL1![t])).ToList()))
            .ToList();

    /// <summary>Per method with kernel estimates: Spearman's ρ of the estimated spread against the true σ over all its
    /// image × σ, and the range of the estimates.</summary>
    public IReadOnlyList<(string Method, int Count, double Rho, double Min, double Max)> KernelFollowing() =>
        Images.Where(r => r.KernelSpread is { } s && double.IsFinite(s)).GroupBy(r => r.Method)
            .Select(g => (g.Key, g.Count(), Statistics.Spearman(g.Select(r => r.Sigma).ToList(), g.Select(r => r.KernelSpread!.Value).ToList()),
                          g.Min(r => r.KernelSpread!.Value), g.Max(r => r.KernelSpread!.Value)))
            .ToList();

    /// <summary>Summary as CSV (long format: one line per method × set × σ).</summary>
    public string SummaryCsv()
    {
        var sb = new StringBuilder(EvalSummaryCsv.Header).Append('\n');
        foreach (var r in Summary())
            sb.AppendLine(string.Join(",", Csv(r.Method), Csv(r.Set), r.SigmaLabel, r.Images.ToString(Inv),
                r.PsnrY.ToString("R", Inv), r.SsimY.ToString("R", Inv), Opt(r.KernelL1), Opt(r.KernelMse),
                r.StagePsnrY is null ? "" : string.Join(";", r.StagePsnrY.Select(v => v.ToString("0.####", Inv)))));
        return sb.ToString();
    }

    /// <summary>Every image's scores as CSV.</summary>
    public string ImagesCsv()
    {
        var sb = new StringBuilder(ImageScoreCsv.Header).Append('\n');
        foreach (var r in Images) sb.AppendLine(ImageScoreCsv.Format(r));
        return sb.ToString();
    }

    /// <summary>The images that were skipped or stopped the run, as CSV (set, image, σ, reason).</summary>
    public string SkippedCsv()
    {
        var sb = new StringBuilder("set,image,sigma,status,reason\n");
        foreach (var (s, status) in Skipped.Select(s => (s, "skipped")).Concat(StoppedAt is null ? [] : [(StoppedAt, "stopped")]))
            sb.AppendLine(string.Join(",", Csv(s.Set), Csv(Path.GetFileName(s.File)), s.Sigma is { } v ? SigmaLabel(v) : "", status,
                Csv(s.Reason.ReplaceLineEndings(" "))));
        return sb.ToString();
    }

    /// <summary>Writes <c>{prefix}.md</c>, <c>{prefix}.csv</c> and <c>{prefix}-images.csv</c>, each atomically, and
    /// <c>{prefix}-skipped.csv</c> when an image was skipped or stopped the run.</summary>
    public IReadOnlyList<string> Write(string prefix)
    {
        string? dir = Path.GetDirectoryName(Path.GetFullPath(prefix));
        if (dir is not null) Directory.CreateDirectory(dir);
        var files = new List<(string, string)> { (prefix + ".md", ToMarkdown()), (prefix + ".csv", SummaryCsv()), (prefix + "-images.csv", ImagesCsv()) };
        if (Skipped.Count > 0 || StoppedAt is not null) files.Add((prefix + "-skipped.csv", SkippedCsv()));
        foreach (var (path, text) in files) AtomicFile.WriteAllText(path, text);
        return files.Select(f => f.Item1).ToList();
    }

    /// <summary>"1.56 M", "72.1 k", "950".</summary>
    public static string FormatParameters(long count) =>
        count >= 1_000_000 ? (count / 1e6).ToString("0.00", Inv) + " M"
        : count >= 1_000 ? (count / 1e3).ToString("0.0", Inv) + " k"
        : count.ToString(Inv);

    private static string Opt(double? v) => v?.ToString("R", Inv) ?? "";
    private static string Csv(string s) => ImageScoreCsv.Quote(s);
}
