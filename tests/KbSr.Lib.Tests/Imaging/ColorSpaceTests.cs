using KbSr.Imaging;
using static TorchSharp.torch;

namespace KbSr.Tests.Imaging;

public class ColorSpaceTests
{
    [Fact]
    public void RgbToY_OfWhiteAndBlack_IsStudioSwingLimits()
    {
        using var rgb = stack([ones(3, 2, 2), zeros(3, 2, 2)]); // [2,3,2,2]: white, black
        using var y = ColorSpace.RgbToY(rgb);
        Assert.Equal(new long[] { 2, 1, 2, 2 }, y.shape);
        Assert.Equal(235.0 / 255, y[0].max().item<float>(), 6);
        Assert.Equal(235.0 / 255, y[0].min().item<float>(), 6);
        Assert.Equal(16.0 / 255, y[1].max().item<float>(), 6);
    }

    [Fact]
    public void RgbToYCbCr_OfPrimaries_MatchesRgb2ycbcrTable()
    {
        // Pure red, green, blue as 1x1 images: rows of MATLAB's rgb2ycbcr matrix plus the offsets.
        using var rgb = eye(3).reshape(3, 3, 1, 1); // [3 images, 3 channels, 1, 1]
        using var ycc = ColorSpace.RgbToYCbCr(rgb).reshape(3, 3);
        double[,] expected =
        {
            { 16 + 65.481, 128 - 37.797, 128 + 112.0 },
            { 16 + 128.553, 128 - 74.203, 128 - 93.786 },
            { 16 + 24.966, 128 + 112.0, 128 - 18.214 },
        };
        for (int i = 0; i < 3; i++)
            for (int c = 0; c < 3; c++)
                Assert.Equal(expected[i, c] / 255, ycc[i, c].item<float>(), 5);
    }

    [Fact]
    public void YCbCrToRgb_OfRgbToYCbCr_IsIdentity()
    {
        using var g = new TorchSharp.torch.Generator(7);
        using var rgb = rand([2, 3, 5, 4], generator: g, dtype: float64);
        using var back = ColorSpace.YCbCrToRgb(ColorSpace.RgbToYCbCr(rgb));
        Assert.True(back.sub(rgb).abs().max().item<double>() < 1e-12);
        using var grey = full(new long[] { 3, 1, 1 }, 0.5);
        using var cbcr = ColorSpace.RgbToYCbCr(grey);
        Assert.Equal(128.0 / 255, cbcr[1].item<float>(), 6);
        Assert.Equal(128.0 / 255, cbcr[2].item<float>(), 6);
    }

    [Fact]
    public void RgbToY_WithoutThreeChannels_Throws()
    {
        using var x = zeros(4, 2, 2);
        Assert.Throws<ArgumentException>(() => ColorSpace.RgbToY(x));
    }
}
