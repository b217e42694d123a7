using TorchSharp;
using static TorchSharp.torch;

namespace KbSr.Degradation;

/// <summary>
/// MATLAB-compatible bicubic <c>imresize</c> (docs/method.md §8.1), the <c>↓s</c> of eq. 1, the pseudo-LR's
/// downscaling and the bicubic baseline. Each axis is a dense linear operator <c>W [outLength, inLength]</c>
/// (cubic a = −0.5; antialiased when shrinking; MATLAB's index mapping; symmetric boundary, edge pixel
/// included, folded into the matrix), so a resize is <c>W_H · X · W_Wᵀ</c>: exact, batched, differentiable.
/// Output length is <c>ceil(inLength · scale)</c>, computed in double as MATLAB does; pass <c>1.0 / s</c> to shrink.
/// Matrices are built once per (length, scale, antialias) in float64 and cached per device and dtype; the
/// cache is process-wide and thread-safe (<see cref="ClearCache"/> frees it; call it only while no resize runs).
/// </summary>
public static class Bicubic
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<(int Length, double Scale, bool Antialias), double[,]> Matrices = [];
    private static readonly Dictionary<(int Length, double Scale, bool Antialias, DeviceType Type, int Index, ScalarType Dtype), Tensor> Tensors = [];

    /// <summary>The 1-D weight matrix, float64 [ceil(inLength·scale), inLength] on the CPU; a fresh copy of the cached one.</summary>
    public static Tensor Weights(int inLength, double scale, bool antialias = true)
    {
        CheckArguments(inLength, scale);
        double[,] m = Matrix(inLength, scale, antialias);
        return tensor(m, dtype: float64);
    }

    /// <summary>
    /// Resizes the last two dimensions of <paramref name="x"/> [..., H, W] (any leading dimensions, floating
    /// point) to [..., ceil(H·scale), ceil(W·scale)] on its device and in its dtype. Differentiable w.r.t. x.
    /// </summary>
    public static Tensor Resize(Tensor x, double scale, bool antialias = true)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.dim() < 2)
            throw new ArgumentException($"x must have at least 2 dimensions [..., H, W]; got [{string.Join(',', x.shape)}]", nameof(x));
        if (!x.is_floating_point())
            throw new ArgumentException($"x must be a floating-point tensor; got {x.dtype} (convert images to float32 in [0, 1] first)", nameof(x));
        int h = checked((int)x.shape[^2]), w = checked((int)x.shape[^1]);
        CheckArguments(h, scale);
        CheckArguments(w, scale);
        var rowsOperator = Cached(h, scale, antialias, x.device, x.dtype);   // [oh, H]
        var colsOperator = Cached(w, scale, antialias, x.device, x.dtype);   // [ow, W]
        using var scope = NewDisposeScope();
        // Width first: a plain (…·H, W) × (W, ow) product, then the batched row operator.
        var cols = matmul(x, colsOperator.t());                              // [..., H, ow]
        return matmul(rowsOperator, cols).MoveToOuterDisposeScope();         // [..., oh, ow]
    }

    /// <summary>Output length of a resize: <c>ceil(inLength · scale)</c>, as MATLAB computes it.</summary>
    public static int OutputLength(int inLength, double scale)
    {
        CheckArguments(inLength, scale);
        return (int)Math.Ceiling(inLength * scale);
    }

    /// <summary>Frees every cached matrix (on every device).</summary>
    public static void ClearCache()
    {
        lock (Gate)
        {
            foreach (var t in Tensors.Values) t.Dispose();
            Tensors.Clear();
            Matrices.Clear();
        }
    }

    private static Tensor Cached(int length, double scale, bool antialias, Device device, ScalarType dtype)
    {
        var key = (length, scale, antialias, device.type, device.index, dtype);
        lock (Gate)
        {
            if (Tensors.TryGetValue(key, out var cached)) return cached;
            // Built outside any caller's dispose scope: the cache owns it for the life of the process.
            using (var scope = NewDisposeScope())
            {
                cached = tensor(MatrixLocked(length, scale, antialias), dtype: float64).to(dtype, device).MoveToOuterDisposeScope();
            }
            cached.DetachFromDisposeScope();
            Tensors[key] = cached;
            return cached;
        }
    }

    private static double[,] Matrix(int length, double scale, bool antialias)
    {
        lock (Gate) return MatrixLocked(length, scale, antialias);
    }

    private static double[,] MatrixLocked(int length, double scale, bool antialias)
    {
        var key = (length, scale, antialias);
        if (!Matrices.TryGetValue(key, out var m))
            Matrices[key] = m = Build(length, scale, antialias);
        return m;
    }

    // docs/method.md §8.1, 1-based as MATLAB's contributions(): output x ↦ centre u in input coordinates,
    // candidate inputs floor(u − kw/2) + 0 … ceil(kw) + 1, weights normalised per output, then indices
    // outside 1..n folded back through the symmetric extension [1..n, n..1] (period 2n).
    private static double[,] Build(int inLength, double scale, bool antialias)
    {
        int outLength = (int)Math.Ceiling(inLength * scale);
        bool shrink = scale < 1 && antialias;
        double kernelWidth = shrink ? 4 / scale : 4;
        int taps = (int)Math.Ceiling(kernelWidth) + 2;
        var matrix = new double[outLength, inLength];
        var weights = new double[taps];
        for (int x = 1; x <= outLength; x++)
        {
            double u = x / scale + 0.5 * (1 - 1 / scale);
            long left = (long)Math.Floor(u - kernelWidth / 2);
            double sum = 0;
            for (int p = 0; p < taps; p++)
            {
                double d = u - (left + p);
                weights[p] = shrink ? scale * Cubic(scale * d) : Cubic(d);
                sum += weights[p];
            }
            for (int p = 0; p < taps; p++)
                matrix[x - 1, Mirror(left + p, inLength) - 1] += weights[p] / sum;
        }
        return matrix;
    }

    /// <summary>Keys' cubic convolution kernel with a = −0.5 (MATLAB's "cubic").</summary>
    private static double Cubic(double x)
    {
        double a = Math.Abs(x), a2 = a * a, a3 = a2 * a;
        if (a <= 1) return 1.5 * a3 - 2.5 * a2 + 1;
        if (a <= 2) return -0.5 * a3 + 2.5 * a2 - 4 * a + 2;
        return 0;
    }

    /// <summary>1-based index into the symmetric extension …, 2, 1 | 1, 2, …, n | n, n−1, … .</summary>
    private static int Mirror(long index, int length)
    {
        long period = 2L * length;
        long m = ((index - 1) % period + period) % period;   // 0 … 2n−1
        return (int)(m < length ? m + 1 : period - m);
    }

    private static void CheckArguments(int inLength, double scale)
    {
        if (!(scale > 0) || !double.IsFinite(scale))
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "scale must be positive and finite (e.g. 0.25 to shrink ×4, 4 to enlarge)");
        if (inLength < 1)
            throw new ArgumentOutOfRangeException(nameof(inLength), inLength, "input length must be ≥ 1");
        double outLength = Math.Ceiling(inLength * scale);
        if (outLength > int.MaxValue / 2)
            throw new ArgumentOutOfRangeException(nameof(scale), scale, $"output length {outLength} is too large");
    }
}
