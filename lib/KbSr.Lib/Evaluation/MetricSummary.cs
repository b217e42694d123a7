namespace KbSr.Evaluation;

/// <summary>One image's scores (method.md §8.2); <see cref="Ssim"/> is NaN when not measured.</summary>
public sealed record ImageScore(string Name, double Psnr, double Ssim = double.NaN);

/// <summary>
/// Per-image scores of one test set and their means (PSNR is averaged per image, not over pooled
/// MSE, as the reference tables do). An identical pair's +∞ makes the mean +∞, deliberately visible.
/// </summary>
public sealed class MetricSummary
{
    private readonly List<ImageScore> _scores = [];

    public MetricSummary(string name = "") => Name = name;

    public string Name { get; }
    public IReadOnlyList<ImageScore> Scores => _scores;
    public int Count => _scores.Count;
    public double MeanPsnr => _scores.Count == 0 ? double.NaN : _scores.Average(s => s.Psnr);

    /// <summary>Mean SSIM over the images that have one; NaN when none has.</summary>
    public double MeanSsim
    {
        get
        {
            var measured = _scores.Where(s => !double.IsNaN(s.Ssim)).ToList();
            return measured.Count == 0 ? double.NaN : measured.Average(s => s.Ssim);
        }
    }

    public void Add(ImageScore score)
    {
        ArgumentNullException.ThrowIfNull(score);
        _scores.Add(score);
    }

    public void Add(string name, double psnr, double ssim = double.NaN) => Add(new ImageScore(name, psnr, ssim));

    public override string ToString() =>
        $"{Name}: {Count} images, PSNR {MeanPsnr:F2} dB" + (double.IsNaN(MeanSsim) ? "" : $", SSIM {MeanSsim:F4}");
}
