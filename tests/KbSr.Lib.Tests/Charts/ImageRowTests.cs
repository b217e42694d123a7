using KbSr.Charts;
using static TorchSharp.torch;

namespace KbSr.Tests.Charts;

public class ImageRowTests
{
    [Fact]
    public void SideBySide_ScalesToCommonHeightByNearestNeighbour_WithWhiteGap()
    {
        using var big = zeros(3, 8, 8);                 // black 8×8
        using var small = ones(1, 3, 2, 2) * 0.5f;      // grey 2×2 → 8×8 blocks
        var row = ImageRow.SideBySide([big, small], gap: 2);
        Assert.Equal(8, row.Height);
        Assert.Equal(8 + 2 + 8, row.Width);
        byte At(int x, int y) => row.Pixels[(y * row.Width + x) * 3];
        Assert.Equal(0, At(7, 7));       // first image
        Assert.Equal(255, At(8, 0));     // gap
        Assert.Equal(255, At(9, 7));
        Assert.Equal(128, At(10, 0));    // 0.5 → round(127.5) = 128, every pixel of the block
        Assert.Equal(128, At(17, 7));
    }

    [Fact]
    public void SideBySide_OfBadShape_Throws()
    {
        using var bad = zeros(2, 4, 4);
        Assert.Throws<ArgumentException>(() => ImageRow.SideBySide([bad]));
    }

    [Fact]
    public void SharedScaleErrorMaps_DivideByTheLargestRmsOverAllMaps()
    {
        using var a = full(new long[] { 1, 3, 2, 2 }, 0.04f);   // RMS 0.2 everywhere
        using var b = full(new long[] { 1, 3, 2, 2 }, 0.16f);   // RMS 0.4 everywhere → white
        var maps = ImageRow.SharedScaleErrorMaps([a, b]);
        Assert.Equal(new long[] { 1, 2, 2 }, maps[0].shape);
        Assert.Equal(0.5f, maps[0][0, 0, 0].item<float>(), 5);
        Assert.Equal(1.0f, maps[1][0, 1, 1].item<float>(), 5);
        foreach (var m in maps) m.Dispose();
    }
}
