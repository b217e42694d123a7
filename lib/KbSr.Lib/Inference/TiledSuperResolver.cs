using KbSr.Evaluation;
using KbSr.Model;
using KbSr.Runtime;
using static TorchSharp.torch;

namespace KbSr.Inference;

/// <summary>
/// Super-resolves images of any size in bounded memory by tiles (issue: 2000×2000 on a CPU).
/// <para>
/// KB-SR is not purely local: every stage's kernel estimate is a global average (GAP) over the image. So a
/// tile cannot simply be run alone — its kernels would differ from its neighbours' and the seams would show.
/// Two passes fix that: (1) each tile (with a margin) estimates K_1..K_T; their area-weighted mean is the
/// image's consensus kernel per stage; (2) each tile is super-resolved again with those kernels imposed
/// (<see cref="KbSrOverrides"/>), and only its interior is kept. With a margin at least the network's local
/// receptive field, pass 2 equals a whole-image forward with the same kernels: the tiles are seamless.
/// </para>
/// </summary>
/// <param name="net">The network.</param>
/// <param name="tile">Interior tile side in LR pixels.</param>
/// <param name="margin">Context kept around each tile, in LR pixels, then discarded.</param>
/// <param name="name">Name in result tables.</param>
public sealed class TiledSuperResolver(KbSrNet net, int tile = 64, int margin = 16, string name = "KB-SR (tiled)") : ISuperResolver
{
    public string Name { get; } = name;

    public SrResult SuperResolve(Tensor lr, int scale)
    {
        if (tile < 1 || margin < 0) throw new ArgumentException($"tile {tile} must be ≥ 1 and margin {margin} ≥ 0");
        if (lr.dim() != 4 || lr.shape[0] != 1) throw new ArgumentException($"tiled inference takes one image [1,3,h,w]; got [{string.Join(",", lr.shape)}]");
        if (scale != net.Config.Scale) throw new ArgumentException($"the network is ×{net.Config.Scale}, asked for ×{scale}");
        bool wasTraining = net.training;
        net.eval();
        try
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var device = net.parameters().First().device;
            lr = lr.to(device);
            var tiles = Tiles(lr.shape[2], lr.shape[3]).ToList();
            var kernels = ConsensusKernels(lr, tiles);
            var overrides = new KbSrOverrides(Kernels: kernels);
            var sr = zeros(1, lr.shape[1], lr.shape[2] * scale, lr.shape[3] * scale, device: device);
            foreach (var t in tiles)
            {
                using var gate = FinalizerGate.Enter();
                using var tileScope = NewDisposeScope();
                var input = lr[.., .., t.Y0..t.Y1, t.X0..t.X1];
                var output = net.Forward(input, overrides);
                // keep the interior: rows [Iy0, Iy1) of the image are rows [Iy0 − Y0, Iy1 − Y0) of the tile
                var interior = output[.., .., ((t.Iy0 - t.Y0) * scale)..((t.Iy1 - t.Y0) * scale), ((t.Ix0 - t.X0) * scale)..((t.Ix1 - t.X0) * scale)];
                sr[.., .., (t.Iy0 * scale)..(t.Iy1 * scale), (t.Ix0 * scale)..(t.Ix1 * scale)] = interior;
            }
            return new SrResult(sr.MoveToOuterDisposeScope(), kernels[^1][0].clone().MoveToOuterDisposeScope(), null,
                kernels.Select(k => k[0].clone().MoveToOuterDisposeScope()).ToList());
        }
        finally
        {
            if (wasTraining) net.train();
        }
    }

    /// <summary>Pass 1: per stage, the mean of the tiles' kernels weighted by their interior areas. [1,k,k] each.</summary>
    public List<Tensor> ConsensusKernels(Tensor lr, IReadOnlyList<TileBox> tiles)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        List<Tensor>? sums = null;
        double total = 0;
        foreach (var t in tiles)
        {
            using var gate = FinalizerGate.Enter();
            using var tileScope = NewDisposeScope();
            using var output = net.Run(lr[.., .., t.Y0..t.Y1, t.X0..t.X1]);
            double area = (double)(t.Iy1 - t.Iy0) * (t.Ix1 - t.Ix0);
            var weighted = output.Kernels.Select(k => k.mul(area)).ToList();
            if (sums is null) sums = weighted.Select(w => w.MoveToOuterDisposeScope()).ToList();
            else for (int i = 0; i < sums.Count; i++) sums[i].add_(weighted[i]);
            total += area;
        }
        return sums!.Select(s => s.div(total).MoveToOuterDisposeScope()).ToList();
    }

    /// <summary>The tiles covering an h×w LR image: interiors partition it; inputs add the margin (clipped).</summary>
    public IEnumerable<TileBox> Tiles(long height, long width)
    {
        int h = checked((int)height), w = checked((int)width);
        for (int y = 0; y < h; y += tile)
        for (int x = 0; x < w; x += tile)
        {
            int iy1 = Math.Min(h, y + tile), ix1 = Math.Min(w, x + tile);
            yield return new TileBox(Math.Max(0, y - margin), Math.Min(h, iy1 + margin), Math.Max(0, x - margin), Math.Min(w, ix1 + margin),
                y, iy1, x, ix1);
        }
    }
}

/// <summary>One tile in LR pixels: input rows [Y0,Y1) × columns [X0,X1); interior rows [Iy0,Iy1) × columns [Ix0,Ix1).</summary>
public readonly record struct TileBox(int Y0, int Y1, int X0, int X1, int Iy0, int Iy1, int Ix0, int Ix1);
