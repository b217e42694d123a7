using System.Diagnostics;
using static TorchSharp.torch;

namespace KbSr.Cli.Commands;

/// <summary>The machine's yardsticks for <c>kbsr bench</c>, measured in the same run with the same thread count:
/// an fp32 n×n matmul and a representative convolution (the Down block's strided conv of a preset), forward only,
/// each the best of several repeats (a peak, not a median).</summary>
internal static class BenchPeak
{
    /// <summary>GFLOP/s of an <paramref name="n"/>² fp32 matmul (2n³ FLOPs).</summary>
    public static double MatmulGflops(Device device, int n = 2048, int repeats = 7)
    {
        using var scope = NewDisposeScope();
        var a = randn(n, n, device: device);
        var b = randn(n, n, device: device);
        return 2.0 * n * n * n / Best(() => matmul(a, b), repeats) / 1e9;
    }

    /// <summary>GFLOP/s of a conv of <paramref name="channels"/>→<paramref name="channels"/>, kernel k, stride s,
    /// padding p on [batch, C, size, size] (2·C²·k²·outPixels FLOPs).</summary>
    public static double ConvGflops(Device device, int batch, int channels, int size, int kernel, int stride, int padding, int repeats = 7)
    {
        using var scope = NewDisposeScope();
        var x = randn(batch, channels, size, size, device: device);
        var w = randn(channels, channels, kernel, kernel, device: device);
        long outSide = (size + 2 * padding - kernel) / stride + 1;
        double flops = 2.0 * channels * channels * kernel * kernel * outSide * outSide * batch;
        return flops / Best(() => nn.functional.conv2d(x, w, strides: [stride, stride], padding: [padding, padding]), repeats) / 1e9;
    }

    /// <summary>Fastest of <paramref name="repeats"/> timed calls after one warm-up, in seconds.</summary>
    private static double Best(Func<Tensor> op, int repeats)
    {
        op().Dispose();
        double best = double.MaxValue;
        for (int i = 0; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            using var r = op();
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return best;
    }
}
