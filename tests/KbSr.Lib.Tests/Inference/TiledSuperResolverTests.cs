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
        var kernels = tiled.ConsensusKernels(lr, tiled.Tiles(20, 26).ToList());
        using var _ = no_grad();
        var whole = net.Forward(lr, new KbSrOverrides(Kernels: kernels));
        return ModelFixtures.MaxAbsDiff(result.Sr, whole);
    }

    [Fact]
    public void Tiled_WithEnoughMargin_EqualsTheWholeImageForwardWithTheSameKernels() =>
        Assert.True(TiledVersusWhole(margin: 12) <= 1e-4);

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
}
