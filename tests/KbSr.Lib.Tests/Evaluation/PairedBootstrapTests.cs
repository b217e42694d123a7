using KbSr.Evaluation;

namespace KbSr.Tests.Evaluation;

/// <summary>The paired bootstrap against cases computable by hand and against properties any correct one has.</summary>
public sealed class PairedBootstrapTests
{
    [Fact]
    public void ConstantDifferences_GiveAZeroWidthIntervalAtThatValue()
    {
        var (mean, lower, upper) = PairedBootstrap.Interval([0.3, 0.3, 0.3, 0.3], resamples: 500);
        Assert.Equal(0.3, mean, 12);
        Assert.Equal(0.3, lower, 12);
        Assert.Equal(0.3, upper, 12);
    }

    [Fact]
    public void TwoImages_ResampleMeansAreZeroOneOrTwo_WithProbabilitiesAQuarterAHalfAQuarter()
    {
        // Differences {0, 2}: a resample of two images has mean 0 (both 0: p = 1/4), 1 (p = 1/2) or 2 (p = 1/4). The 2.5 %
        // and 97.5 % quantiles of that distribution are 0 and 2; with 20 000 resamples each end holds ~5 000 values, so the
        // empirical quantiles are exactly 0 and 2.
        var (mean, lower, upper) = PairedBootstrap.Interval([0, 2], resamples: 20_000);
        Assert.Equal(1, mean, 12);
        Assert.Equal(0, lower, 12);
        Assert.Equal(2, upper, 12);
        // A 40 % interval lies inside the middle mass (quantiles 0.3 and 0.7 of {0: ¼, 1: ½, 2: ¼} are both 1).
        var (_, lo40, hi40) = PairedBootstrap.Interval([0, 2], resamples: 20_000, confidence: 0.4);
        Assert.Equal(1, lo40, 12);
        Assert.Equal(1, hi40, 12);
    }

    [Fact]
    public void Quantile_InterpolatesLinearlyBetweenOrderStatistics()
    {
        double[] sorted = [1, 2, 4, 8];
        Assert.Equal(1, PairedBootstrap.Quantile(sorted, 0));
        Assert.Equal(8, PairedBootstrap.Quantile(sorted, 1));
        Assert.Equal(3, PairedBootstrap.Quantile(sorted, 0.5));      // position 1.5: halfway between 2 and 4
        Assert.Equal(6, PairedBootstrap.Quantile(sorted, 5.0 / 6)); // position 2.5: halfway between 4 and 8
    }

    private static double[] Noisy(int n, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => 0.2 + random.NextDouble() - 0.5).ToArray();
    }

    [Fact]
    public void Interval_IsSeeded_ContainsTheMean_AndFlipsSignWithTheComparison()
    {
        var d = Noisy(30, 4);
        var a = PairedBootstrap.Interval(d, seed: 9);
        Assert.Equal(a, PairedBootstrap.Interval(d, seed: 9));
        Assert.NotEqual(a, PairedBootstrap.Interval(d, seed: 10));
        Assert.InRange(a.Mean, a.Lower, a.Upper);
        // B − A instead of A − B: the same resamples give the mirrored interval.
        var b = PairedBootstrap.Interval(d.Select(x => -x).ToArray(), seed: 9);
        Assert.Equal(-a.Mean, b.Mean, 12);
        Assert.Equal(-a.Upper, b.Lower, 10);
        Assert.Equal(-a.Lower, b.Upper, 10);
        // Shifting every difference by c shifts the interval by c.
        var c = PairedBootstrap.Interval(d.Select(x => x + 1.5).ToArray(), seed: 9);
        Assert.Equal(a.Lower + 1.5, c.Lower, 10);
        Assert.Equal(a.Upper + 1.5, c.Upper, 10);
    }

    [Fact]
    public void Interval_NarrowsLikeOneOverRootN_AndWidensWithConfidence()
    {
        var small = PairedBootstrap.Interval(Noisy(25, 1));
        var large = PairedBootstrap.Interval(Noisy(400, 1));
        double ratio = (small.Upper - small.Lower) / (large.Upper - large.Lower);
        Assert.InRange(ratio, 2.5, 6);   // √(400/25) = 4
        var d = Noisy(50, 2);
        var wide = PairedBootstrap.Interval(d, confidence: 0.99);
        var narrow = PairedBootstrap.Interval(d, confidence: 0.8);
        Assert.True(wide.Upper - wide.Lower > narrow.Upper - narrow.Lower);
        // For the uniform noise of width 1 (sd 1/√12), the normal-theory 95 % half-width is 1.96·0.2887/√400 ≈ 0.0283.
        Assert.InRange((large.Upper - large.Lower) / 2, 0.022, 0.035);
    }

    [Fact]
    public void Interval_RejectsEmptyOrNonFiniteInput()
    {
        Assert.Throws<ArgumentException>(() => PairedBootstrap.Interval([]));
        Assert.Throws<ArgumentException>(() => PairedBootstrap.Interval([1, double.NaN]));
        Assert.Throws<ArgumentOutOfRangeException>(() => PairedBootstrap.Interval([1], confidence: 1));
    }

    [Fact]
    public void Compare_PairsByImage_PerSetAndSigma_AndReportsReferenceMinusMethod()
    {
        var scores = new List<ImageScore>();
        // Set A, σ 1.3: KB-SR beats X by exactly 0.5 dB on every image; σ 2.6: X wins by 1 dB on one image, ties on the other.
        foreach (string image in new[] { "a", "b", "c" })
        {
            scores.Add(new ImageScore("KB-SR", "A", 1.3, image, 30 + image[0] % 3, 0.9));
            scores.Add(new ImageScore("X", "A", 1.3, image, 29.5 + image[0] % 3, 0.9));
        }
        scores.Add(new ImageScore("KB-SR", "A", 2.6, "a", 28, 0.8));
        scores.Add(new ImageScore("X", "A", 2.6, "a", 29, 0.8));
        scores.Add(new ImageScore("KB-SR", "A", 2.6, "b", 27, 0.8));
        scores.Add(new ImageScore("X", "A", 2.6, "b", 27, 0.8));
        var rows = PairedBootstrap.Compare(new EvalResults(scores, gaussian8: false), "KB-SR", resamples: 4_000);
        Assert.Equal(2, rows.Count);
        var s13 = rows.Single(r => r.SigmaLabel == "1.3");
        Assert.Equal(("X", 3), (s13.Method, s13.Images));
        Assert.Equal(0.5, s13.MeanDifference, 12);
        Assert.Equal(0.5, s13.Lower, 12);
        Assert.True(s13.Excludes0);
        var s26 = rows.Single(r => r.SigmaLabel == "2.6");
        Assert.Equal(-0.5, s26.MeanDifference, 12);
        Assert.Equal(-1, s26.Lower, 12);   // {−1, 0}: resample means −1, −½, 0
        Assert.Equal(0, s26.Upper, 12);
        Assert.False(s26.Excludes0);

        string md = PairedBootstrap.ToMarkdown(rows);
        Assert.Contains("| X | +0.50 [0.50, 0.50]* | −0.50 [-1.00, 0.00] |", md);
        Assert.StartsWith("reference,method,set,sigma,images,mean_difference,lower,upper\nKB-SR,X,A,1.3,3,0.5,", PairedBootstrap.ToCsv(rows));
        Assert.Throws<ArgumentException>(() => PairedBootstrap.Compare(new EvalResults(scores, false), "Y"));
    }

    [Fact]
    public void Compare_WithAnInfinitePsnr_NamesTheMethodAndImage_InsteadOfFailingOnTheDifferences()
    {
        var scores = new List<ImageScore>
        {
            new("KB-SR", "A", 1.3, "a", 30, 0.9), new("X", "A", 1.3, "a", 29, 0.9),
            new("KB-SR", "A", 1.3, "flat", double.PositiveInfinity, 1), new("X", "A", 1.3, "flat", 40, 0.99),
        };
        var e = Assert.Throws<ArgumentException>(() => PairedBootstrap.Compare(new EvalResults(scores, gaussian8: false), "KB-SR"));
        Assert.Contains("KB-SR has PSNR +∞ on A/flat", e.Message);
    }

    [Fact]
    public void Compare_OnGaussian8_ResamplesImagesWithTheirEightKernelsTogether()
    {
        // Two images; per image the eight σ differences average to 1 and 3 → resample means 1, 2, 3.
        var scores = new List<ImageScore>();
        double[] sigmas = [1.8, 2.0, 2.2, 2.4, 2.6, 2.8, 3.0, 3.2];
        for (int i = 0; i < 8; i++)
        {
            scores.Add(new ImageScore("R", "S", sigmas[i], "p", 30 + (i % 2 == 0 ? 0.5 : 1.5), 0.9));
            scores.Add(new ImageScore("M", "S", sigmas[i], "p", 30, 0.9));
            scores.Add(new ImageScore("R", "S", sigmas[i], "q", 33, 0.9));
            scores.Add(new ImageScore("M", "S", sigmas[i], "q", 30, 0.9));
        }
        var row = Assert.Single(PairedBootstrap.Compare(new EvalResults(scores, gaussian8: true), "R", resamples: 20_000));
        Assert.Equal(("g8", 2), (row.SigmaLabel, row.Images));
        Assert.Equal(2, row.MeanDifference, 12);
        Assert.Equal(1, row.Lower, 12);
        Assert.Equal(3, row.Upper, 12);
    }
}
