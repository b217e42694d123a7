using System.Buffers.Binary;
using System.Text;
using KbSr.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace KbSr.Degradation;

/// <summary>
/// The kernel PCA projection P of eq. 3's kernel term (docs/method.md §4): a k×k kernel becomes a short code
/// <c>P·(vec(K) − mean)</c>. Fitted once, in float64 with torch's SVD, from kernels of the training
/// distribution (the paper: 500 kernels, 21 dims), then stored, because components beyond the data's rank
/// (~5 for isotropic kernels) are round-off and would differ between fits. Component signs are fixed so that
/// each row's largest-magnitude entry is positive. Encode/Decode run on the input's device and dtype
/// (copies cached per device) and are differentiable. The instance owns its tensors: dispose it, not them.
/// <para>File format (little-endian): 8 bytes "KBSRKPCA", int32 version = 1, int32 kernel size k, int32 dims d,
/// float32[k²] mean, float32[d·k²] components (row-major), float64[d] explained-variance ratios; nothing after.</para>
/// </summary>
public sealed class KernelPca : IDisposable
{
    private const string Magic = "KBSRKPCA";
    private const int Version = 1;
    private const int HeaderBytes = 8 + 3 * 4;

    private readonly Lock _gate = new();
    private readonly Dictionary<(DeviceType, int, ScalarType), (Tensor Mean, Tensor Components)> _copies = [];
    private bool _disposed;

    private KernelPca(Tensor mean, Tensor components, Tensor ratios, int kernelSize)
    {
        Mean = mean.DetachFromDisposeScope();
        Components = components.DetachFromDisposeScope();
        ExplainedVarianceRatio = ratios.DetachFromDisposeScope();
        KernelSize = kernelSize;
        Dims = (int)components.shape[0];
    }

    /// <summary>Mean kernel, float32 [k·k] on the CPU.</summary>
    public Tensor Mean { get; }

    /// <summary>Principal directions, float32 [dims, k·k] on the CPU; rows orthonormal, strongest first.</summary>
    public Tensor Components { get; }

    /// <summary>Share of the fitted kernels' variance along each component, float64 [dims] on the CPU, descending.</summary>
    public Tensor ExplainedVarianceRatio { get; }

    public int KernelSize { get; }
    public int Dims { get; }

    /// <summary>Fits a PCA with <paramref name="dims"/> components to <paramref name="kernels"/> [N, k, k] (any device).</summary>
    public static KernelPca Fit(Tensor kernels, int dims)
    {
        ArgumentNullException.ThrowIfNull(kernels);
        if (kernels.dim() != 3 || kernels.shape[1] != kernels.shape[2])
            throw new ArgumentException($"kernels must be [N, k, k]; got [{string.Join(',', kernels.shape)}]", nameof(kernels));
        long n = kernels.shape[0], k = kernels.shape[1];
        if (n < 2) throw new ArgumentException($"need at least 2 kernels to fit a PCA; got {n}", nameof(kernels));
        if (dims < 1 || dims > Math.Min(n, k * k))
            throw new ArgumentOutOfRangeException(nameof(dims), dims, $"expected 1 ≤ dims ≤ min(N = {n}, k² = {k * k})");
        using var scope = NewDisposeScope();
        var x = kernels.detach().to(float64, CPU).reshape(n, k * k);
        var mean = x.mean(new long[] { 0 });
        var (_, singular, vh) = linalg.svd(x - mean, fullMatrices: false);
        var components = vh[..dims];
        var peak = components.abs().argmax(1).unsqueeze(1);
        components = components * components.gather(1, peak).sign();
        var variance = singular.square();
        var ratios = variance[..dims] / variance.sum();
        var result = new KernelPca(mean.to(float32).MoveToOuterDisposeScope(), components.to(float32).MoveToOuterDisposeScope(),
                                   ratios.MoveToOuterDisposeScope(), (int)k);
        return result;
    }

    /// <summary>An independent copy (its own tensors), e.g. to keep a checkpoint's PCA after the checkpoint is disposed.</summary>
    public KernelPca Clone()
    {
        using var scope = NewDisposeScope();
        return new KernelPca(Mean.clone().MoveToOuterDisposeScope(), Components.clone().MoveToOuterDisposeScope(),
                             ExplainedVarianceRatio.clone().MoveToOuterDisposeScope(), KernelSize);
    }

    /// <summary>The PCA of <paramref name="count"/> kernels drawn from <paramref name="distribution"/> with a
    /// CPU generator seeded by <paramref name="seed"/> (docs/method.md §4: 500 kernels, 21 dims).</summary>
    public static KernelPca ForDistribution(KernelDistribution distribution, int count = 500, int dims = 21, long seed = 0)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        using var generator = TorchRuntime.Generator(seed);
        using var scope = NewDisposeScope();
        var (kernels, _) = new KernelSampler(distribution).Sample(count, generator, CPU);
        return Fit(kernels, dims);
    }

    /// <summary>Codes of <paramref name="kernels"/> [B, k, k] → [B, dims], on the kernels' device and dtype.</summary>
    public Tensor Encode(Tensor kernels)
    {
        ArgumentNullException.ThrowIfNull(kernels);
        if (kernels.dim() != 3 || kernels.shape[1] != KernelSize || kernels.shape[2] != KernelSize)
            throw new ArgumentException($"kernels must be [B, {KernelSize}, {KernelSize}]; got [{string.Join(',', kernels.shape)}]", nameof(kernels));
        var (mean, components) = On(kernels.device, kernels.dtype);
        using var scope = NewDisposeScope();
        var flat = kernels.reshape(kernels.shape[0], KernelSize * KernelSize);
        return matmul(flat - mean, components.t()).MoveToOuterDisposeScope();
    }

    /// <summary>Kernels [B, k, k] from codes [B, dims], on the codes' device and dtype.</summary>
    public Tensor Decode(Tensor codes)
    {
        ArgumentNullException.ThrowIfNull(codes);
        if (codes.dim() != 2 || codes.shape[1] != Dims)
            throw new ArgumentException($"codes must be [B, {Dims}]; got [{string.Join(',', codes.shape)}]", nameof(codes));
        var (mean, components) = On(codes.device, codes.dtype);
        using var scope = NewDisposeScope();
        return (matmul(codes, components) + mean).view(codes.shape[0], KernelSize, KernelSize).MoveToOuterDisposeScope();
    }

    /// <summary>Writes the projection to <paramref name="path"/> (format in the type's summary), atomically.</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ObjectDisposedException.ThrowIf(_disposed, this);
        int k2 = KernelSize * KernelSize;
        var bytes = new byte[HeaderBytes + 4 * k2 + 4 * Dims * k2 + 8 * Dims];
        var span = bytes.AsSpan();
        Encoding.ASCII.GetBytes(Magic, span);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], Version);
        BinaryPrimitives.WriteInt32LittleEndian(span[12..], KernelSize);
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], Dims);
        int offset = HeaderBytes;
        foreach (float v in Mean.data<float>()) { BinaryPrimitives.WriteSingleLittleEndian(span[offset..], v); offset += 4; }
        foreach (float v in Components.contiguous().data<float>()) { BinaryPrimitives.WriteSingleLittleEndian(span[offset..], v); offset += 4; }
        foreach (double v in ExplainedVarianceRatio.data<double>()) { BinaryPrimitives.WriteDoubleLittleEndian(span[offset..], v); offset += 8; }

        AtomicFile.WriteAllBytes(path, bytes);
    }

    /// <summary>Reads a projection written by <see cref="Save"/>; throws <see cref="InvalidDataException"/>
    /// naming the file when it is not one, or is truncated.</summary>
    public static KernelPca Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes = Runtime.RegularFile.ReadAllBytes(path, 64L << 20, "kernel PCA");
        var span = bytes.AsSpan();
        if (bytes.Length < HeaderBytes || Encoding.ASCII.GetString(bytes, 0, Magic.Length) != Magic)
            throw new InvalidDataException($"{path}: not a kernel PCA file (expected it to start with \"{Magic}\")");
        int version = BinaryPrimitives.ReadInt32LittleEndian(span[8..]);
        int k = BinaryPrimitives.ReadInt32LittleEndian(span[12..]);
        int dims = BinaryPrimitives.ReadInt32LittleEndian(span[16..]);
        if (version != Version)
            throw new InvalidDataException($"{path}: kernel PCA format version {version}; this build reads version {Version}");
        if (k < 1 || k > 1023 || dims < 1 || dims > k * k)
            throw new InvalidDataException($"{path}: implausible header (kernel size {k}, dims {dims}); the file is damaged");
        int k2 = k * k;
        long expected = HeaderBytes + 4L * k2 + 4L * dims * k2 + 8L * dims;
        if (bytes.Length != expected)
            throw new InvalidDataException($"{path}: {bytes.Length} bytes, expected {expected} for kernel size {k} and {dims} dims — " +
                                           (bytes.Length < expected ? "the file is truncated" : "trailing bytes after the data"));
        int offset = HeaderBytes;
        var mean = new float[k2];
        for (int i = 0; i < k2; i++, offset += 4) mean[i] = BinaryPrimitives.ReadSingleLittleEndian(span[offset..]);
        var components = new float[dims * k2];
        for (int i = 0; i < components.Length; i++, offset += 4) components[i] = BinaryPrimitives.ReadSingleLittleEndian(span[offset..]);
        var ratios = new double[dims];
        for (int i = 0; i < dims; i++, offset += 8) ratios[i] = BinaryPrimitives.ReadDoubleLittleEndian(span[offset..]);
        using var scope = NewDisposeScope();
        return new KernelPca(tensor(mean).MoveToOuterDisposeScope(), tensor(components, new long[] { dims, k2 }).MoveToOuterDisposeScope(),
                             tensor(ratios).MoveToOuterDisposeScope(), k);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var (m, c) in _copies.Values) { m.Dispose(); c.Dispose(); }
            _copies.Clear();
            Mean.Dispose();
            Components.Dispose();
            ExplainedVarianceRatio.Dispose();
        }
    }

    private (Tensor Mean, Tensor Components) On(Device device, ScalarType dtype)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var key = (device.type, device.index, dtype);
            if (device.type == DeviceType.CPU && dtype == ScalarType.Float32) return (Mean, Components);
            if (!_copies.TryGetValue(key, out var copy))
            {
                copy = (Mean.to(dtype, device).DetachFromDisposeScope(), Components.to(dtype, device).DetachFromDisposeScope());
                _copies[key] = copy;
            }
            return copy;
        }
    }
}
