using KbSr.Evaluation;
using KbSr.Imaging;
using KbSr.Tests.Imaging;
using static TorchSharp.torch;

namespace KbSr.Tests.Evaluation;

public class PsnrTests
{
    // 10·log10(255²/1): an MSE of exactly one grey level.
    private const double OneLevel = 48.1308036086791;

    // All of R, G, B one level up moves Y by (65.481 + 128.553 + 24.966)/255 = 219/255 levels,
    // so PSNR = 20·log10(255² / 219) = 49.45272492055584 dB (by hand from docs/method.md §6).
    private const double OneLevelOnAllRgb = 49.45272492055584;

    private static Tensor Tensor(RgbImage image) => image.ToTensor();

    [Fact]
    public void OnY_OfIdenticalImages_IsPositiveInfinity()
    {
        using var hr = Tensor(TestImages.Random(12, 10, seed: 1));
        Assert.Equal(double.PositiveInfinity, Psnr.OnY(hr, hr, shave: 2));
        Assert.Equal(double.PositiveInfinity, Psnr.OnRgb(hr, hr, shave: 0));
    }

    [Fact]
    public void OnY_OfOneLevelOnEveryRgbChannel_MatchesTheHandValue()
    {
        using var hr = Tensor(TestImages.Constant(9, 9, 100, 120, 140));
        using var sr = Tensor(TestImages.Constant(9, 9, 101, 121, 141));
        Assert.Equal(OneLevelOnAllRgb, Psnr.OnY(sr, hr, shave: 1), 9);
        Assert.Equal(OneLevel, Psnr.OnRgb(sr, hr, shave: 1), 9);
    }

    [Fact]
    public void OnY_ForGreyImage_UsesTheRawChannelNotStudioSwingY()
    {
        // Grey HR and SR one level apart: the grey path sees one level (48.13 dB); the Y path
        // would see 219/255 of a level (49.45 dB).
        using var hr = Tensor(TestImages.Constant(8, 8, 77, 77, 77));
        using var sr = Tensor(TestImages.Constant(8, 8, 78, 78, 78));
        Assert.Equal(OneLevel, Psnr.OnY(sr, hr, shave: 0, grey: true), 9);
        Assert.Equal(OneLevelOnAllRgb, Psnr.OnY(sr, hr, shave: 0, grey: false), 9);
    }

    [Fact]
    public void OnY_ForGreyImage_ReadsChannelZeroOnly()
    {
        // The grey path takes channel 0 of the replicated RGB: differences in G and B are not seen.
        using var hr = Tensor(TestImages.Constant(8, 8, 50, 50, 50));
        using var sr = Tensor(TestImages.Constant(8, 8, 50, 90, 10));
        Assert.Equal(double.PositiveInfinity, Psnr.OnY(sr, hr, shave: 0, grey: true));
    }

    [Fact]
    public void OnY_WithDifferencesOnlyInTheShavedBorder_IsInfinite()
    {
        using var hr = Tensor(TestImages.Random(16, 12, seed: 2));
        using var sr = hr.clone();
        using (no_grad())
        {
            sr[.., ..3, ..] = rand(3, 3, 16);
            sr[.., ^3.., ..] = rand(3, 3, 16);
            sr[.., .., ..3] = 0;
            sr[.., .., ^3..] = 1;
        }
        Assert.Equal(double.PositiveInfinity, Psnr.OnY(sr, hr, shave: 3));
        Assert.True(double.IsFinite(Psnr.OnY(sr, hr, shave: 2)));
    }

    [Fact]
    public void OnY_OfOnePixelOneLevelOff_IsTheHandValue()
    {
        // One pixel's grey value off by 3 levels in a 4x5 crop: MSE = 9/20.
        using var hr = Tensor(TestImages.Constant(6, 7, 30, 30, 30)); // shave 1 → 4x5
        using var sr = hr.clone();
        using (no_grad()) sr[.., 3, 2] = 33 / 255f;
        Assert.Equal(10 * Math.Log10(255.0 * 255.0 / (9.0 / 20.0)), Psnr.OnY(sr, hr, shave: 1, grey: true), 9);
    }

    [Fact]
    public void OnY_QuantisesSr_ClampingAndRounding()
    {
        // SR overshoots (clamped to 1) and sits 0.4 levels off (rounded away): no error remains.
        using var hr = Tensor(TestImages.Constant(6, 6, 255, 40, 0));
        using var sr = hr.clone();
        using (no_grad())
        {
            sr[0] = 1.3f;
            sr[1] += 0.4f / 255;
            sr[2] = -0.2f;
        }
        Assert.Equal(double.PositiveInfinity, Psnr.OnY(sr, hr, shave: 0));
        Assert.Equal(double.PositiveInfinity, Psnr.OnRgb(sr.unsqueeze(0), hr.unsqueeze(0), shave: 0));
    }

    [Fact]
    public void OnY_OfMismatchedShapesOrTooLargeShave_Throws()
    {
        using var a = zeros(3, 8, 8);
        using var b = zeros(3, 8, 6);
        Assert.Throws<ArgumentException>(() => Psnr.OnY(a, b, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Psnr.OnY(a, a, 4));
    }
}
