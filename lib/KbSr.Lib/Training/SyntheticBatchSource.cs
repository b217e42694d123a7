using KbSr.Degradation;
using KbSr.Runtime;
using static TorchSharp.torch;

namespace KbSr.Training;

/// <summary>
/// Training batches synthesised on the fly (docs/design.md §3.5): random HR crops with flips/rotations,
/// a kernel per sample, blur + MATLAB bicubic ↓s on the device.
/// <para>
/// Batch <c>n</c> is a pure function of (seed, n): its own C# <see cref="Random"/> picks the crops and
/// its own torch generator draws the kernels. Resuming at step n therefore sees exactly the batches
/// an uninterrupted run would — no RNG state needs saving — and prefetching cannot change the data.
/// </para>
/// </summary>
public sealed class SyntheticBatchSource
{
    private readonly HrImageCache _images;
    private readonly BatchOptions _options;
    private readonly KernelSampler _sampler;
    private readonly long _seed;

    public SyntheticBatchSource(HrImageCache images, BatchOptions options, long seed)
    {
        options.Validate();
        _images = images;
        _options = options;
        _sampler = new KernelSampler(options.Kernels);
        _seed = seed;
    }

    public BatchOptions Options => _options;

    /// <summary>Batch number <paramref name="index"/>, on <paramref name="device"/>.</summary>
    public SyntheticBatch Get(long index, Device? device = null)
    {
        device ??= CPU;
        using var scope = NewDisposeScope();
        var rng = TorchRuntime.Rng(unchecked(_seed ^ (index * -7046029254386353131L)), stream: 1); // golden-ratio mix
        int p = _options.HrPatch;

        var crops = new Tensor[_options.BatchSize];
        for (int b = 0; b < crops.Length; b++)
        {
            var image = _images[rng.Next(_images.Count)];
            int h = (int)image.shape[1], w = (int)image.shape[2];
            int y = rng.Next(h - p + 1), x = rng.Next(w - p + 1);
            var crop = image[.., y..(y + p), x..(x + p)];
            if (_options.Augment)
            {
                if (rng.Next(2) == 1) crop = crop.flip(2);               // horizontal flip
                if (rng.Next(2) == 1) crop = crop.flip(1);               // vertical flip
                int quarterTurns = rng.Next(4);                          // drawn either way: the same crops follow
                if (quarterTurns > 0 && _options.Rotate) crop = crop.rot90(quarterTurns, (1, 2));
            }
            crops[b] = crop;
        }
        var hr = stack(crops).to(device).to_type(ScalarType.Float32).div_(255f); // [B,3,P,P]

        using var generator = new Generator(StreamSeed(index, stream: 2), CPU);
        var (kernels, sigmas) = _sampler.Sample(_options.BatchSize, generator, device);
        using var noise = NoiseGenerator(device, index);
        var lr = Degrader.Degrade(hr, kernels, _options.Scale, _options.NoiseSigma, _options.Quantize, noise);

        return new SyntheticBatch(hr.MoveToOuterDisposeScope(), lr.MoveToOuterDisposeScope(),
            kernels.MoveToOuterDisposeScope(), sigmas.MoveToOuterDisposeScope());
    }

    private Generator? NoiseGenerator(Device device, long index) =>
        _options.NoiseSigma > 0 ? new Generator(StreamSeed(index, stream: 3), device) : null;

    // Hashed rather than seed·31 + index, which gave seed 1's batch 0 the kernels of seed 0's batch 31.
    private ulong StreamSeed(long index, ulong stream) =>
        TorchRuntime.SplitMix64(TorchRuntime.SplitMix64((ulong)_seed ^ stream) ^ (ulong)index);
}
