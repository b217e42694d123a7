using KbSr.Imaging;
using static TorchSharp.torch;

namespace KbSr.Charts;

/// <summary>
/// Images side by side in one picture (notebooks 01, 04, 05): HR, blurred, LR and SR of different sizes are
/// each scaled by nearest-neighbour to a common height — so an LR pixel stays a visible block, nothing is
/// smoothed — and separated by a white gap.
/// </summary>
public static class ImageRow
{
    /// <summary>Images [3,H,W] or [1,3,H,W] (or [1,H,W] grey) in [0,1], any device; <paramref name="height"/> 0 = the tallest one's.</summary>
    public static RgbImage SideBySide(IReadOnlyList<Tensor> images, int height = 0, int gap = 4)
    {
        if (images.Count == 0) throw new ArgumentException("no image to place side by side", nameof(images));
        ArgumentOutOfRangeException.ThrowIfNegative(gap);
        using var scope = NewDisposeScope();
        var planes = images.Select((image, i) =>
        {
            var x = image.detach().to(CPU).to_type(ScalarType.Float32);
            if (x.dim() == 4 && x.shape[0] == 1) x = x[0];
            if (x.dim() != 3 || (x.shape[0] != 3 && x.shape[0] != 1))
                throw new ArgumentException($"image {i} is [{string.Join(",", image.shape)}]; expected [3,H,W], [1,3,H,W] or [1,H,W]", nameof(images));
            return x.shape[0] == 1 ? x.expand(3, -1, -1) : x;
        }).ToList();
        int target = height > 0 ? height : planes.Max(p => (int)p.shape[1]);
        var parts = new List<Tensor>();
        foreach (var p in planes)
        {
            long h = p.shape[1], w = p.shape[2];
            long width = Math.Max(1, (long)Math.Round((double)w * target / h));
            var resized = nn.functional.interpolate(p.unsqueeze(0), new long[] { target, width }, mode: InterpolationMode.Nearest)[0];
            if (parts.Count > 0 && gap > 0) parts.Add(ones(3, target, gap));
            parts.Add(resized.clamp(0, 1));
        }
        return RgbImage.FromTensor(cat(parts, 2));
    }

    /// <summary>
    /// Squared-error maps such as the pseudo-LR differences D_t = (PLR_t − LR)² [1,3,h,w] as grey pictures on one
    /// shared scale: √(mean over channels), i.e. the RMS error per pixel, divided by the largest value over all maps
    /// (white = the largest error of any stage), so the stages can be compared by eye.
    /// </summary>
    public static IReadOnlyList<Tensor> SharedScaleErrorMaps(IReadOnlyList<Tensor> squaredErrors)
    {
        if (squaredErrors.Count == 0) throw new ArgumentException("no map", nameof(squaredErrors));
        using var scope = NewDisposeScope();
        var rms = squaredErrors.Select(d =>
        {
            var x = d.detach().to(CPU).to_type(ScalarType.Float32);
            if (x.dim() == 4) x = x[0];
            return x.mean([0], keepdim: true).clamp_min(0).sqrt();     // [1,h,w]
        }).ToList();
        var peak = stack(rms.Select(r => r.max())).max().clamp_min(1e-12);
        return rms.Select(r => (r / peak).MoveToOuterDisposeScope()).ToList();
    }
}
