using KbSr.Evaluation;

namespace KbSr.Tests.Evaluation;

public class MetricSummaryTests
{
    [Fact]
    public void Means_ArePerImageAverages_SsimOverMeasuredOnly()
    {
        var summary = new MetricSummary("Set5");
        summary.Add("a", 30, 0.9);
        summary.Add("b", 32);
        summary.Add(new ImageScore("c", 34, 0.7));
        Assert.Equal(3, summary.Count);
        Assert.Equal(32, summary.MeanPsnr, 12);
        Assert.Equal(0.8, summary.MeanSsim, 12);
        Assert.StartsWith("Set5: 3 images, PSNR 32.00 dB, SSIM 0.8000", summary.ToString());
    }

    [Fact]
    public void Means_OfEmptySummary_AreNaN()
    {
        var summary = new MetricSummary();
        Assert.True(double.IsNaN(summary.MeanPsnr));
        Assert.True(double.IsNaN(summary.MeanSsim));
    }
}
