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
/// Two passes fix that: (1) each tile's interior (no margin: only the kernel averages are kept) estimates
/// K_1..K_T; their area-weighted mean is the image's consensus kernel per stage; (2) each tile, with a margin of
/// context, is super-resolved again with those kernels imposed (<see cref="KbSrOverrides"/>), and only its interior
/// is kept. With a margin at least the network's local receptive field, pass 2 equals a whole-image forward with
/// the same kernels: the tiles are seamless. An image that fits in one tile takes one plain pass (its own kernels
/// are the consensus). Tiles split the image evenly (no sliver tiles); <see cref="AutoTile"/> sizes them to a
/// memory budget.
/// </para>
/// </summary>
public sealed class TiledSuperResolver(KbSrNet net, int tile = 64, int margin = 16, string name = "KB-SR (tiled)") : ISuperResolver
{
    public string Name { get; } = name;

    /// <summary>Called after each network pass over a tile with (passes done, passes in all), for progress and ETA.</summary>
    public Action<int, int>? OnProgress { get; init; }

    /// <summary>Bytes per LR pixel of a no-grad forward of the Small preset at ×4, measured as VmHWM of `kbsr sr`
    /// above the process's own ~350 MB: 21 KB at 128² LR, 27 KB at 256², 27 KB at 480×320 (with freed buffers kept
    /// for reuse, <see cref="Runtime.NativeHeap"/>); other presets scale with s² and with the HR feature channels that
    /// live at once (the concatenated T·C SR features plus about 4·C inside a projection).</summary>
    private const double SmallBytesPerLrPixel = 28e3;

    /// <summary>Estimated bytes a no-grad forward of <paramref name="config"/> needs per LR pixel (see above).</summary>
    public static double BytesPerLrPixel(KbSrConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var small = KbSrConfig.Small;
        return SmallBytesPerLrPixel * (config.Scale * config.Scale) / (small.Scale * small.Scale)
               * (config.Stages * config.Channels + 4.0 * config.Channels) / (small.Stages * small.Channels + 4.0 * small.Channels);
    }

    /// <summary>The tile side for an <paramref name="height"/>×<paramref name="width"/> LR image within
    /// <paramref name="memoryBytes"/>: the whole image (one pass) when it fits, else the largest interior side whose
    /// input tile (interior + 2·margin) fits (at least 16).</summary>
    public static int AutoTile(KbSrConfig config, double memoryBytes, int margin, long height, long width)
    {
        double perPixel = BytesPerLrPixel(config);
        if (height * (double)width * perPixel <= memoryBytes) return checked((int)Math.Max(height, width));
        int side = (int)Math.Floor(Math.Sqrt(memoryBytes / perPixel)) - 2 * margin;
        return Math.Max(16, side);
    }

    public SrResult SuperResolve(Tensor lr, int scale)
    {
        if (tile < 1 || margin < 0) throw new ArgumentException($"tile {tile} must be ≥ 1 and margin {margin} ≥ 0");
        if (lr.dim() != 4 || lr.shape[0] != 1) throw new ArgumentException($"tiled inference takes one image [1,3,h,w]; got [{string.Join(",", lr.shape)}]");
        if (scale != net.Config.Scale) throw new ArgumentException($"the network is ×{net.Config.Scale}, asked for ×{scale}");
        if (Tiles(lr.shape[2], lr.shape[3]).Count() == 1)
        {
            // One tile: its own kernels are the consensus, so pass 2 would repeat pass 1 exactly.
            var single = new KbSrSuperResolver(net, Name).SuperResolve(lr, scale);
            OnProgress?.Invoke(1, 1);
            return single;
        }
        bool wasTraining = net.training;
        net.eval();
        try
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var device = net.parameters().First().device;
            lr = lr.to(device);
            var tiles = Tiles(lr.shape[2], lr.shape[3]).ToList();
            var kernelTiles = KernelTiles(lr.shape[2], lr.shape[3]).ToList();
            int total = kernelTiles.Count + tiles.Count;
            var kernels = ConsensusKernels(lr, kernelTiles, total);
            var overrides = new KbSrOverrides(Kernels: kernels);
            var sr = zeros(1, lr.shape[1], lr.shape[2] * scale, lr.shape[3] * scale, device: device);
            int done = kernelTiles.Count;
            foreach (var t in tiles)
            {
                using var gate = FinalizerGate.Enter();
                using var tileScope = NewDisposeScope();
                var input = lr[.., .., t.Y0..t.Y1, t.X0..t.X1];
                var output = net.Forward(input, overrides);
                // keep the interior: rows [Iy0, Iy1) of the image are rows [Iy0 − Y0, Iy1 − Y0) of the tile
                var interior = output[.., .., ((t.Iy0 - t.Y0) * scale)..((t.Iy1 - t.Y0) * scale), ((t.Ix0 - t.X0) * scale)..((t.Ix1 - t.X0) * scale)];
                sr[.., .., (t.Iy0 * scale)..(t.Iy1 * scale), (t.Ix0 * scale)..(t.Ix1 * scale)] = interior;
                OnProgress?.Invoke(++done, total);
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
    public List<Tensor> ConsensusKernels(Tensor lr, IReadOnlyList<TileBox> tiles) => ConsensusKernels(lr, tiles, tiles.Count);

    private List<Tensor> ConsensusKernels(Tensor lr, IReadOnlyList<TileBox> tiles, int passes)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        List<Tensor>? sums = null;
        double total = 0;
        int done = 0;
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
            OnProgress?.Invoke(++done, passes);
        }
        return sums!.Select(s => s.div(total).MoveToOuterDisposeScope()).ToList();
    }

    /// <summary>The tiles covering an h×w LR image: interiors partition it into an even grid of at most
    /// <c>tile</c>×<c>tile</c> pieces; inputs add the margin (clipped at the image's border).</summary>
    public IEnumerable<TileBox> Tiles(long height, long width) => Grid(height, width, margin);

    /// <summary>Pass 1's tiles: the same interiors without margins (the kernel estimate is an average over the tile).</summary>
    public IEnumerable<TileBox> KernelTiles(long height, long width) => Grid(height, width, 0);

    private IEnumerable<TileBox> Grid(long height, long width, int context)
    {
        int h = checked((int)height), w = checked((int)width);
        int rows = (h + tile - 1) / tile, cols = (w + tile - 1) / tile;
        for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++)
        {
            // Even split: boundaries at ⌊i·h/rows⌋, so pieces differ by at most one pixel.
            int y = (int)((long)r * h / rows), iy1 = (int)((long)(r + 1) * h / rows);
            int x = (int)((long)c * w / cols), ix1 = (int)((long)(c + 1) * w / cols);
            yield return new TileBox(Math.Max(0, y - context), Math.Min(h, iy1 + context), Math.Max(0, x - context), Math.Min(w, ix1 + context),
                y, iy1, x, ix1);
        }
    }
}

/// <summary>One tile in LR pixels: input rows [Y0,Y1) × columns [X0,X1); interior rows [Iy0,Iy1) × columns [Ix0,Ix1).</summary>
public readonly record struct TileBox(int Y0, int Y1, int X0, int X1, int Iy0, int Iy1, int Ix0, int Ix1);
