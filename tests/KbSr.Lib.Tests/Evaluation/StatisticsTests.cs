using KbSr.Degradation;
using KbSr.Evaluation;
using KbSr.Imaging;
using static TorchSharp.torch;

namespace KbSr.Tests.Evaluation;

/// <summary>Spearman's ρ against values worked out by hand.</summary>
public class StatisticsTests
{
    [Fact]
    public void Spearman_MonotoneSamples_AreOneOrMinusOne()
    {
        Assert.Equal(1.0, Statistics.Spearman([1, 2, 3, 4], [10, 20, 25, 400]), 12);
        Assert.Equal(-1.0, Statistics.Spearman([1, 2, 3, 4], [4, 3, 2, 1]), 12);
    }

    [Fact]
    public void Spearman_WithTies_UsesMeanRanks()
    {
        // x ranks 1, 2.5, 2.5, 4; y ranks 1, 3, 2, 4. Deviations from 2.5: x (−1.5, 0, 0, 1.5), y (−1.5, 0.5, −0.5, 1.5):
        // Σxy = 2.25 + 2.25 = 4.5, Σx² = 4.5, Σy² = 5 → ρ = 4.5 / √22.5.
        Assert.Equal([1, 2.5, 2.5, 4], Statistics.Ranks([5, 7, 7, 9]));
        Assert.Equal(4.5 / Math.Sqrt(22.5), Statistics.Spearman([5, 7, 7, 9], [1, 3, 2, 4]), 12);
    }

    [Fact]
    public void Spearman_OfAConstantSample_IsUndefined()
    {
        Assert.True(double.IsNaN(Statistics.Spearman([0.2, 1.3, 2.6], [1.7, 1.7, 1.7])));
        Assert.Throws<ArgumentException>(() => Statistics.Spearman([1, 2], [1]));
    }

    /// <summary>The markdown's "does the estimate follow the blur" table: per method, ρ of σ̂ against σ.</summary>
    [Fact]
    public void KernelFollowing_RanksEachMethodsEstimates_AgainstTheTrueSigma()
    {
        var rows = new List<ImageScore>();
        foreach (double sigma in new[] { 0.2, 1.3, 2.6 })
            foreach (string image in new[] { "a", "b" })
            {
                rows.Add(new ImageScore("follows", "S", sigma, image, 30, 0.9, 0.1, 0.001, null, 0.9 * sigma + 0.3));
                rows.Add(new ImageScore("constant", "S", sigma, image, 30, 0.9, 1.7, 0.01, null, 1.41));
                rows.Add(new ImageScore("bicubic", "S", sigma, image, 28, 0.8));
            }
        var following = new EvalResults(rows, false).KernelFollowing();
        Assert.Equal(["follows", "constant"], following.Select(f => f.Method));
        Assert.Equal(1.0, following[0].Rho, 12);
        Assert.True(double.IsNaN(following[1].Rho));
        Assert.Equal((6, 1.41, 1.41), (following[1].Count, following[1].Min, following[1].Max));
        Assert.Contains("| follows | 6 | 1.000 | 0.48–2.64 |", new EvalResults(rows, false).ToMarkdown());
    }

    /// <summary>A kernel decoded from a PCA code can have negative taps (IKC's do): its spread is that of its non-negative
    /// part, so σ̂ stays a number, and an all-negative "kernel" has none.</summary>
    [Fact]
    public void Score_OfAKernelWithNegativeTaps_MeasuresTheSpreadOfItsNonNegativePart()
    {
        using var scope = NewDisposeScope();
        var truth = GaussianKernel.Isotropic(1.5, 21);
        var decoded = truth - 0.001;   // slightly negative away from the centre
        var hr = rand(3, 32, 32);
        var score = Evaluator.Score("m", "S", 1.5, "x", new SrResult(hr.unsqueeze(0), decoded), hr, false, truth, 4);
        Assert.Equal(KernelImage.Spread(decoded.clamp_min(0)), score.KernelSpread!.Value, 12);
        Assert.InRange(score.KernelSpread!.Value, 0.5, 1.5);   // narrower than the truth: the clamped tails are gone
        Assert.Null(Evaluator.Score("m", "S", 1.5, "x", new SrResult(hr.unsqueeze(0), -truth), hr, false, truth, 4).KernelSpread);
    }
    /// <summary>Each stage's kernel is scored against the truth (Σ|K_t − K_true|, hand-computed here for a Dirac kernel:
    /// 2 − 2·K_true at the centre), kept through the CSV round trip and averaged per stage in the tables.</summary>
    [Fact]
    public void Score_WithStageKernels_GivesEachStagesKernelError_AndTheTablesAverageThem()
    {
        using var scope = NewDisposeScope();
        var truth = GaussianKernel.Isotropic(1.5, 21);
        var dirac = zeros(21, 21);
        dirac[10, 10] = tensor(1f);
        var hr = rand(3, 32, 32);
        var result = new SrResult(hr.unsqueeze(0), truth.clone(), [hr.unsqueeze(0), hr.unsqueeze(0)], [dirac, truth.clone()]);
        var score = Evaluator.Score("m", "S", 1.5, "x", result, hr, false, truth, 4);
        double expected = 2 - 2 * truth[10, 10].item<float>();
        Assert.Equal(2, score.StageKernelL1!.Count);
        Assert.Equal(expected, score.StageKernelL1[0], 5);
        Assert.Equal(0, score.StageKernelL1[1], 6);
        var back = ImageScoreCsv.Parse(ImageScoreCsv.Format(score, exact: true));
        Assert.Equal(score.StageKernelL1, back.StageKernelL1!);
        var other = score with { Image = "y", StageKernelL1 = [expected + 1, 1] };
        string md = new EvalResults([score, other], false).ToMarkdown();
        Assert.Contains("## Kernel error at every stage", md);
        Assert.Contains($"| m | S | 1.5 | {(expected + 0.5).ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)} | 0.500 |", md);
    }
}
