using System.Globalization;
using System.Text;

namespace KbSr.Evaluation;

/// <summary>A paired comparison of two methods on one set at one σ (or Gaussian8): the mean over images of
/// PSNR(reference) − PSNR(method) and its bootstrap confidence interval. Positive = the reference is better.</summary>
public sealed record PairedDifference(string Reference, string Method, string Set, string SigmaLabel, int Images,
                                      double MeanDifference, double Lower, double Upper)
{
    /// <summary>Whether the interval excludes zero (the difference is unlikely to be resampling noise).</summary>
    public bool Excludes0 => Lower > 0 || Upper < 0;
}

/// <summary>
/// The percentile bootstrap of a mean paired difference (Efron and Tibshirani 1993, ch. 13), so that a table shows
/// which PSNR differences between methods are larger than the spread over test images: resample the images with
/// replacement <c>resamples</c> times, take the mean difference of each resample, and report the α/2 and 1 − α/2
/// quantiles of those means. Seeded: the same inputs and seed give the same interval. Images are the unit: for
/// Gaussian8, an image's eight σ are averaged first, so its kernels are resampled together.
/// </summary>
public static class PairedBootstrap
{
    /// <summary>Mean of <paramref name="differences"/> and its percentile-bootstrap interval.</summary>
    /// <param name="differences">One paired difference per image (at least one).</param>
    /// <param name="resamples">Number of bootstrap resamples B.</param>
    /// <param name="confidence">Coverage, e.g. 0.95.</param>
    /// <param name="seed">Seed of the resampling.</param>
    public static (double Mean, double Lower, double Upper) Interval(IReadOnlyList<double> differences, int resamples = 10_000,
                                                                     double confidence = 0.95, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(differences);
        if (differences.Count == 0) throw new ArgumentException("no differences to resample", nameof(differences));
        if (resamples < 1) throw new ArgumentOutOfRangeException(nameof(resamples), resamples, "expected ≥ 1");
        if (!(confidence > 0 && confidence < 1)) throw new ArgumentOutOfRangeException(nameof(confidence), confidence, "expected 0 < confidence < 1");
        if (differences.Any(d => !double.IsFinite(d))) throw new ArgumentException("differences must be finite", nameof(differences));
        int n = differences.Count;
        var random = new Random(seed);
        var means = new double[resamples];
        for (int b = 0; b < resamples; b++)
        {
            double sum = 0;
            for (int i = 0; i < n; i++) sum += differences[random.Next(n)];
            means[b] = sum / n;
        }
        Array.Sort(means);
        double alpha = 1 - confidence;
        return (differences.Average(), Quantile(means, alpha / 2), Quantile(means, 1 - alpha / 2));
    }

    /// <summary>Linear-interpolation quantile (type 7, as numpy's default) of sorted values.</summary>
    public static double Quantile(IReadOnlyList<double> sorted, double q)
    {
        double position = q * (sorted.Count - 1);
        int low = (int)Math.Floor(position), high = (int)Math.Ceiling(position);
        return sorted[low] + (position - low) * (sorted[high] - sorted[low]);
    }

    /// <summary>
    /// <paramref name="reference"/> against every other method of <paramref name="results"/>, per set and σ, paired
    /// by image. A method without scores on some image of a cell is compared on the images both have.
    /// </summary>
    public static IReadOnlyList<PairedDifference> Compare(EvalResults results, string reference, int resamples = 10_000,
                                                          double confidence = 0.95, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(results);
        var methods = results.Images.Select(r => r.Method).Distinct().ToList();
        if (!methods.Contains(reference))
            throw new ArgumentException($"reference '{reference}' is not among the evaluated methods ({string.Join(", ", methods)})", nameof(reference));
        string Label(ImageScore r) => results.Gaussian8 ? "g8" : EvalResults.SigmaLabel(r.Sigma);
        // Per method, set, σ label and image: the image's mean PSNR (one value, or Gaussian8's eight averaged).
        var perImage = results.Images
            .GroupBy(r => (r.Method, r.Set, Label: Label(r), r.Image))
            .ToDictionary(g => g.Key, g => g.Average(r => r.PsnrY));
        var cells = results.Images.Select(r => (r.Set, Label: Label(r))).Distinct().ToList();
        var rows = new List<PairedDifference>();
        foreach (string method in methods.Where(m => m != reference))
            foreach (var (set, label) in cells)
            {
                var pairs = perImage.Keys.Where(k => k.Method == reference && k.Set == set && k.Label == label)
                    .Where(k => perImage.ContainsKey((method, set, label, k.Image))).ToList();
                if (pairs.Count == 0) continue;
                // +∞ is a PSNR (an SR image identical to the HR one), but no difference can be taken with it.
                var infinite = pairs.SelectMany(k => new (string Method, string Image, double Psnr)[]
                        { (reference, k.Image, perImage[k]), (method, k.Image, perImage[(method, set, label, k.Image)]) })
                    .FirstOrDefault(x => !double.IsFinite(x.Psnr));
                if (infinite.Method is not null)
                    throw new ArgumentException($"{infinite.Method} has PSNR {(double.IsPositiveInfinity(infinite.Psnr) ? "+∞" : infinite.Psnr.ToString(CultureInfo.InvariantCulture))} on {set}/{infinite.Image} (σ {label}): the paired comparison " +
                                                "needs finite PSNRs; leave that image out (--max-images, another set) or compare with --reference none");
                var differences = pairs.Select(k => perImage[k] - perImage[(method, set, label, k.Image)]).ToList();
                var (mean, lower, upper) = Interval(differences, resamples, confidence, seed);
                rows.Add(new PairedDifference(reference, method, set, label, differences.Count, mean, lower, upper));
            }
        return rows;
    }

    /// <summary>One table per reference: rows = other methods, columns = σ, cells "Δ [lo, hi]" per set.</summary>
    public static string ToMarkdown(IReadOnlyList<PairedDifference> rows, double confidence = 0.95)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        foreach (var byReference in rows.GroupBy(r => r.Reference))
        {
            var sets = byReference.Select(r => r.Set).Distinct().ToList();
            var sigmas = byReference.Select(r => r.SigmaLabel).Distinct().ToList();
            sb.AppendLine($"PSNR(**{byReference.Key}**) − PSNR(method), dB on Y: mean over images [{confidence * 100:0}% paired bootstrap " +
                          $"interval over images]; cells: {string.Join(" / ", sets)}; * = the interval excludes 0").AppendLine();
            sb.Append("| method |").AppendJoin("", sigmas.Select(s => s == "g8" ? " Gaussian8 |" : $" σ={s} |")).AppendLine();
            sb.Append("|---|").AppendJoin("", sigmas.Select(_ => "---|")).AppendLine();
            foreach (var byMethod in byReference.GroupBy(r => r.Method))
            {
                sb.Append($"| {byMethod.Key} |");
                foreach (string sigma in sigmas)
                {
                    var cells = sets.Select(set => byMethod.FirstOrDefault(r => r.Set == set && r.SigmaLabel == sigma))
                        .Select(r => r is null ? "–"
                            : $"{r.MeanDifference.ToString("+0.00;−0.00;0.00", inv)} [{r.Lower.ToString("0.00", inv)}, {r.Upper.ToString("0.00", inv)}]{(r.Excludes0 ? "*" : "")}");
                    sb.Append(' ').AppendJoin(" / ", cells).Append(" |");
                }
                sb.AppendLine();
            }
            sb.AppendLine();
        }
        return sb.ToString();
    }

    /// <summary>Long-format CSV: one line per reference × method × set × σ.</summary>
    public static string ToCsv(IReadOnlyList<PairedDifference> rows)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder("reference,method,set,sigma,images,mean_difference,lower,upper\n");
        foreach (var r in rows)
            sb.AppendLine(string.Join(",", Csv(r.Reference), Csv(r.Method), Csv(r.Set), r.SigmaLabel, r.Images.ToString(inv),
                r.MeanDifference.ToString("R", inv), r.Lower.ToString("R", inv), r.Upper.ToString("R", inv)));
        return sb.ToString();
    }

    private static string Csv(string s) => s.Contains(',') || s.Contains('"') ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
}
