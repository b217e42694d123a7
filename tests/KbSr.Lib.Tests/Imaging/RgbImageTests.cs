using KbSr.Imaging;
using static TorchSharp.torch;

namespace KbSr.Tests.Imaging;

public class RgbImageTests
{
    [Fact]
    public void ToTensor_OfKnownPixels_IsChannelsFirstOver255()
    {
        // 2x1 image: (10,20,30) then (255,0,128).
        var image = new RgbImage(2, 1, [10, 20, 30, 255, 0, 128]);
        using var t = image.ToTensor();
        Assert.Equal(new long[] { 3, 1, 2 }, t.shape);
        Assert.Equal(ScalarType.Float32, t.dtype);
        Assert.Equal(10f / 255, t[0, 0, 0].item<float>(), 6);
        Assert.Equal(1f, t[0, 0, 1].item<float>(), 6);
        Assert.Equal(20f / 255, t[1, 0, 0].item<float>(), 6);
        Assert.Equal(128f / 255, t[2, 0, 1].item<float>(), 6);
    }

    [Fact]
    public void FromTensor_OfToTensor_ReturnsTheSameBytes()
    {
        var image = TestImages.Random(17, 9, seed: 1);
        using var t = image.ToTensor();
        Assert.Equal(image.Pixels, RgbImage.FromTensor(t).Pixels);
        using var batched = t.unsqueeze(0);
        Assert.Equal(image.Pixels, RgbImage.FromTensor(batched).Pixels);
    }

    [Fact]
    public void FromTensor_ClampsAndRoundsHalfAwayFromZero()
    {
        // Halves k + 0.5 that float64 represents exactly after /255·255, with k even, where
        // round-half-to-even would give k and MATLAB's im2uint8 gives k + 1.
        var halves = Enumerable.Range(0, 127).Select(i => 2 * i)
            .Where(k => (k + 0.5) / 255.0 * 255.0 == k + 0.5).ToArray();
        Assert.NotEmpty(halves);
        int k = halves[0];
        double[] values = [-0.3, 1.7, (k + 0.5) / 255.0, 0.4 / 255.0, 0.6 / 255.0];
        using var t = tensor(values, float64).reshape(1, 1, values.Length).expand(3, 1, values.Length).contiguous();
        var bytes = RgbImage.FromTensor(t).Pixels;
        Assert.Equal(new byte[] { 0, 255, (byte)(k + 1), 0, 1 }, bytes.Where((_, i) => i % 3 == 0).ToArray());
    }

    [Fact]
    public void FromTensor_OfWrongShape_ThrowsNamingTheShape()
    {
        using var t = zeros(1, 4, 4);
        var e = Assert.Throws<ArgumentException>(() => RgbImage.FromTensor(t));
        Assert.Contains("[1,4,4]", e.Message);
    }

    [Fact]
    public void ModCrop_CropsRightAndBottomToMultiples()
    {
        var image = TestImages.Random(10, 7, seed: 2);
        var cropped = image.ModCrop(4);
        Assert.Equal((8, 4), (cropped.Width, cropped.Height));
        for (int y = 0; y < 4; y++)
            Assert.Equal(image.Pixels.AsSpan(y * 10 * 3, 8 * 3).ToArray(), cropped.Pixels.AsSpan(y * 8 * 3, 8 * 3).ToArray());
        Assert.Same(cropped, cropped.ModCrop(4));
    }

    [Fact]
    public void Crop_TakesTheRectangle_AndRejectsOutOfBounds()
    {
        var image = TestImages.Random(5, 4, seed: 3);
        var c = image.Crop(2, 1, 2, 3);
        Assert.Equal((2, 3), (c.Width, c.Height));
        // pixel (x=3, y=3) of the original is (1, 2) of the crop
        Assert.Equal(image.Pixels.AsSpan((3 * 5 + 3) * 3, 3).ToArray(), c.Pixels.AsSpan((2 * 2 + 1) * 3, 3).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => image.Crop(4, 0, 2, 1));
    }

    [Fact]
    public void Constructor_WithWrongBufferLength_Throws()
    {
        Assert.Throws<ArgumentException>(() => new RgbImage(2, 2, new byte[11]));
    }
}
