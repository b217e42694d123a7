using KbSr.Inference;
using KbSr.Model;
using KbSr.Tests.Model;
using static TorchSharp.torch;

namespace KbSr.Tests.Inference;

public class TiledSuperResolverTests
{
    private static Tensor Lr(long h, long w)
    {
        var (_, lr, _) = ModelFixtures.Batch(KbSrConfig.Test, batch: 1, h: (int)h, w: (int)w, seed: 11);
        return lr;
    }

    /// <summary>Max |tiled − whole-image forward with the same consensus kernels| on a 20×26 LR image.</summary>
    private static double TiledVersusWhole(int margin)
    {
        using var net = ModelFixtures.Network();
        net.eval();
        using var scope = NewDisposeScope();
        var lr = Lr(20, 26);
        var tiled = new TiledSuperResolver(net, tile: 8, margin: margin);
        using var result = tiled.SuperResolve(lr, KbSrConfig.Test.Scale);
        var kernels = tiled.ConsensusKernels(lr, tiled.KernelTiles(20, 26).ToList());
        using var _ = no_grad();
        var whole = net.Forward(lr, new KbSrOverrides(Kernels: kernels));
        return ModelFixtures.MaxAbsDiff(result.Sr, whole);
    }

    [Fact]
    public void Tiled_WithEnoughMargin_EqualsTheWholeImageForwardWithTheSameKernels()
    {
        double diff = TiledVersusWhole(margin: 16);   // 12 px left 1.3e-4 at the worst tile border of the even grid
        Assert.True(diff <= 1e-4, $"max |tiled − whole| = {diff:G3}");
    }

    [Fact]
    public void Tiled_WithoutMargin_ShowsSeams() =>
        // The check above can fail: with no context the tile borders differ from the whole-image result.
        Assert.True(TiledVersusWhole(margin: 0) > 1e-3);

    [Fact]
    public void Tiled_WithOneTile_EqualsPlainInference()
    {
        using var net = ModelFixtures.Network();
        using var scope = NewDisposeScope();
        var lr = Lr(10, 12);
        using var tiled = new TiledSuperResolver(net, tile: 64, margin: 4).SuperResolve(lr, 2);
        using var plain = new KbSrSuperResolver(net).SuperResolve(lr, 2);
        ModelFixtures.Close(tiled.Sr, plain.Sr, 1e-5, "single tile vs plain");
        ModelFixtures.Close(tiled.Kernel!, plain.Kernel!, 1e-6, "kernel");
    }

    [Fact]
    public void Tiles_PartitionTheImage()
    {
        using var net = ModelFixtures.Network();
        var tiles = new TiledSuperResolver(net, tile: 8, margin: 3).Tiles(20, 26).ToList();
        var covered = new int[20, 26];
        foreach (var t in tiles)
        {
            Assert.True(t.Y0 <= t.Iy0 && t.Iy1 <= t.Y1 && t.X0 <= t.Ix0 && t.Ix1 <= t.X1);
            for (int y = t.Iy0; y < t.Iy1; y++)
            for (int x = t.Ix0; x < t.Ix1; x++) covered[y, x]++;
        }
        Assert.All(covered.Cast<int>(), c => Assert.Equal(1, c));
        Assert.Equal(3 * 4, tiles.Count);
    }

    [Fact]
    public void Tiles_SplitEvenly_NoSliverTiles()
    {
        // 20 rows in tiles of at most 8: three pieces of 6, 7, 7 (not 8, 8, 4); 26 columns: 6, 7, 6, 7.
        using var net = ModelFixtures.Network();
        var tiles = new TiledSuperResolver(net, tile: 8, margin: 3).Tiles(20, 26).ToList();
        Assert.Equal(new[] { 6, 7, 7 }, tiles.Select(t => (t.Iy0, t.Iy1)).Distinct().Select(r => r.Iy1 - r.Iy0));
        Assert.Equal(new[] { 6, 7, 6, 7 }, tiles.Select(t => (t.Ix0, t.Ix1)).Distinct().Select(c => c.Ix1 - c.Ix0));
        var kernelTiles = new TiledSuperResolver(net, tile: 8, margin: 3).KernelTiles(20, 26).ToList();
        Assert.All(kernelTiles, t => Assert.True(t.Y0 == t.Iy0 && t.Y1 == t.Iy1 && t.X0 == t.Ix0 && t.X1 == t.Ix1));
    }

    [Fact]
    public void AutoTile_FitsTheBudget_AndShrinksForBiggerNetworks()
    {
        // Small: 28 KB per LR pixel ⇒ 3 GB holds a 327² input tile (√(3e9 / 28e3) = 327.3); minus 2·16 margin = 295
        // for a 1000² image; a 300×200 image (1.68 GB) fits whole: one tile of its longer side.
        Assert.Equal(295, TiledSuperResolver.AutoTile(KbSrConfig.Small, 3e9, 16, 1000, 1000));
        Assert.Equal(300, TiledSuperResolver.AutoTile(KbSrConfig.Small, 3e9, 16, 200, 300));
        Assert.True(TiledSuperResolver.AutoTile(KbSrConfig.Paper, 3e9, 16, 1000, 1000) < 295);
        Assert.Equal(16, TiledSuperResolver.AutoTile(KbSrConfig.Paper, 1e6, 16, 1000, 1000));
    }

    [Fact]
    public void Tiled_ReportsEveryPass()
    {
        using var net = ModelFixtures.Network();
        net.eval();
        using var scope = NewDisposeScope();
        var lr = Lr(20, 26);
        var seen = new List<(int, int)>();
        using var result = new TiledSuperResolver(net, tile: 8, margin: 2) { OnProgress = (d, t) => seen.Add((d, t)) }.SuperResolve(lr, 2);
        // 12 kernel passes then 12 SR passes, counted 1..24 of 24.
        Assert.Equal(Enumerable.Range(1, 24).Select(i => (i, 24)), seen);
    }
}
