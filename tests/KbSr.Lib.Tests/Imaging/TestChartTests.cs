using KbSr.Imaging;
using static TorchSharp.torch;

namespace KbSr.Tests.Imaging;

public class TestChartTests
{
    [Fact]
    public void Make_IsDeterministicFloat32InTheUnitRange()
    {
        using var a = TestChart.Make(64);
        using var b = TestChart.Make(64);
        Assert.Equal(new long[] { 3, 64, 64 }, a.shape);
        Assert.Equal(ScalarType.Float32, a.dtype);
        Assert.True(a.eq(b).all().item<bool>());
        Assert.True(a.min().item<float>() >= 0 && a.max().item<float>() <= 1);
        Assert.True(a.max().item<float>() == 1 && a.min().item<float>() == 0, "the chart should span black to white");
    }

    [Fact]
    public void Make_QuadrantsHoldTheirPatterns()
    {
        const int n = 128, h = n / 2;
        using var scope = NewDisposeScope();
        var chart = TestChart.Make(n);
        var zone = chart[.., ..h, ..h];
        var bars = chart[.., ..(n / 4), h..];
        var checker = chart[.., h.., ..h];
        var gradient = chart[.., h.., h..];

        // zone plate and checkerboards are grey, bars and gradients are coloured
        Assert.True(zone[0].eq(zone[1]).all().item<bool>() && zone[1].eq(zone[2]).all().item<bool>());
        Assert.True(checker[0].eq(checker[2]).all().item<bool>());
        // colour bars: 8 bars of 8 pixels, the palette R, G, B, C, M, Y, K, W
        float[][] palette = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 0], [0, 0, 0], [1, 1, 1]];
        for (int i = 0; i < 8; i++)
            for (int c = 0; c < 3; c++)
                Assert.True(bars[c, .., (i * 8)..(i * 8 + 8)].eq(palette[i][c]).all().item<bool>(), $"bar {i} channel {c}");
        // checkerboards: pure black and white squares, period 2 in the first band (x < n/8)
        Assert.True(checker.eq(0).logical_or(checker.eq(1)).all().item<bool>(), "checkerboard holds values other than 0 and 1");
        Assert.Equal(0f, checker[0, 0, 0].item<float>());
        Assert.Equal(1f, checker[0, 0, 1].item<float>());
        Assert.Equal(1f, checker[0, 1, 0].item<float>());
        Assert.Equal(0f, checker[0, 1, 1].item<float>());
        // last band (3n/8 ≤ x < n/2): squares of 8 pixels
        Assert.True(checker[.., ..8, 48..56].eq(0).all().item<bool>() && checker[.., ..8, 56..64].eq(1).all().item<bool>());
        Assert.True(checker[.., 8..16, 48..56].eq(1).all().item<bool>());
        // gradient: smooth, neighbouring pixels differ by at most 2/n·2
        Assert.True(gradient[.., .., 1..].sub(gradient[.., .., ..^1]).abs().max().item<float>() <= 4.0f / n + 1e-6f);
        // zone plate: oscillates fully near its outer rim
        Assert.True(zone.max().item<float>() > 0.99f && zone.min().item<float>() < 0.01f);
        // the four quadrants differ from each other
        var quadrants = new[] { zone, chart[.., ..h, h..], checker, gradient };
        for (int i = 0; i < 4; i++)
            for (int j = i + 1; j < 4; j++)
                Assert.True(quadrants[i].sub(quadrants[j]).abs().mean().item<float>() > 0.1f, $"quadrants {i} and {j} look alike");
    }

    [Theory]
    [InlineData(60)]
    [InlineData(100)]
    public void Make_WithBadSize_ThrowsNamingTheSize(int size)
    {
        var e = Assert.Throws<ArgumentException>(() => TestChart.Make(size));
        Assert.Contains(size.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message);
    }
}
