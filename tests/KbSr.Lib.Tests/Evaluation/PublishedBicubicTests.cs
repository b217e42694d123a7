using KbSr.Evaluation;

namespace KbSr.Tests.Evaluation;

/// <summary>
/// The library's evaluator against numbers it did not produce: bicubic ×4 on Y, as the SR literature tabulates it from
/// MATLAB (imresize bicubic, rgb2ycbcr Y, a 4-pixel shave). Source: the Bicubic ×4 row of the benchmark table of Kim et
/// al., "Accurate Image Super-Resolution Using Very Deep Convolutional Networks" (VDSR, CVPR 2016), repeated in the
/// bicubic rows of EDSR (Lim et al., CVPRW 2017) and RCAN (Zhang et al., ECCV 2018): PSNR 28.42 / 26.00 / 25.96 dB and
/// SSIM 0.8104 / 0.7027 / 0.6675 on Set5 / Set14 / B100. PSNR must agree to ±0.02 dB (the published figures are
/// rounded to 0.01). SSIM implementations of that era differ in the third decimal (window handling, image type), so
/// SSIM is held to ±0.002 — still far tighter than a wrong window, constant or luma would give.
/// </summary>
public class PublishedBicubicTests
{
    [SkippableTheory]
    [InlineData("Set5", 5, 28.42, 0.8104)]
    [InlineData("Set14", 14, 26.00, 0.7027)]
    [InlineData("BSDS100", 100, 25.96, 0.6675)]
    public void BicubicX4_AtSigmaZero_MatchesThePublishedMatlabFigures(string set, int images, double psnr, double ssim)
    {
        string root = TestSetup.RequireDataRoot(set);
        var results = new Evaluator(new EvalOptions([set], [0], Scale: 4, DataRoot: root)).Run([new BicubicUpsampler()]);
        var row = Assert.Single(results.Summary());
        Assert.Equal(images, row.Images);
        Assert.True(Math.Abs(row.PsnrY - psnr) <= 0.02, $"{set}: bicubic ×4 PSNR-Y {row.PsnrY:0.000} dB, published {psnr:0.00} dB");
        Assert.True(Math.Abs(row.SsimY - ssim) <= 0.002, $"{set}: bicubic ×4 SSIM-Y {row.SsimY:0.0000}, published {ssim:0.0000}");
    }
}
