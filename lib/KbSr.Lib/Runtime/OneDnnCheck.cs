using TorchSharp;
using static TorchSharp.torch;

namespace KbSr.Runtime;

/// <summary>
/// Checks libtorch's oneDNN convolutions against a float64 reference once per process, and turns oneDNN off
/// when they are wrong on this CPU.
/// <para>
/// Seen on an AMD EPYC with AVX-512 (libtorch 2.10, oneDNN 3.7.1): a float32 convolution whose input channel count
/// is not a multiple of oneDNN's channel block (18 = 3 colours + 15 code maps, 24, 33, …; 16 and 32 are right) came
/// out wrong by up to 1.5 — not rounding, wrong numbers, the same on every call — with its AVX, AVX2 and AVX-512
/// kernels alike. KB-SR's SR heads (16·t channels) and every kernel-conditioned baseline have such layers, so
/// evaluation gave NaN and training diverged in its first step. libtorch's own convolution (im2col and a matrix
/// product) is right there. The check costs a few milliseconds; <c>KBSR_ONEDNN=on</c> or <c>off</c> skips it.
/// </para>
/// </summary>
public static class OneDnnCheck
{
    public const string Variable = "KBSR_ONEDNN";

    /// <summary>Relative error (to the reference's largest value) above which oneDNN counts as wrong. A right
    /// float32 convolution of this size is within about 1e-6; the defect gives errors of order 1.</summary>
    public const double Tolerance = 1e-3;

    /// <summary>What <see cref="Apply"/> found and did, for `kbsr runtime` and the logs.</summary>
    public static string State { get; private set; } = "not checked";

    /// <summary>True once oneDNN was turned off (by the check or by <c>KBSR_ONEDNN=off</c>).</summary>
    public static bool Disabled { get; private set; }

    /// <summary>Runs the check and acts on it (called by <see cref="TorchRuntime.Initialize"/>).</summary>
    public static void Apply()
    {
        var context = TorchContext.ForStartupCheck(Variable, c => c.TrySetMkldnnEnabled(false), out string state, out bool disabled);
        (State, Disabled) = (state, disabled);
        if (context is null) return;
        double error = ConvolutionError();
        if (error <= Tolerance) { State = $"on (convolution check passed, relative error {error:G2})"; return; }
        if (!context.TrySetMkldnnEnabled(false))
        {
            State = $"on, but WRONG on this CPU (relative error {error:G2}) and this libtorch has no switch to turn it off";
            return;
        }
        Disabled = true;
        State = $"off: its float32 convolution was wrong on this CPU (relative error {error:G2}); libtorch's own convolution is used";
    }

    /// <summary>
    /// Largest error of a float32 convolution with 18 and 33 input channels (odd multiples of no channel block),
    /// relative to the largest value of a float64 im2col reference. The batch of 2 makes libtorch choose oneDNN
    /// for it when oneDNN is on. Fixed inputs, no random draws: the check must not move the seeded generator.
    /// </summary>
    public static double ConvolutionError()
    {
        using var scope = NewDisposeScope();
        double worst = 0;
        foreach (int channels in new[] { 18, 33 })
        {
            var x = arange(2 * channels * 16 * 16, float32).mul_(0.37).sin_().view(2, channels, 16, 16);
            var w = arange(16 * channels * 9, float32).mul_(0.61).cos_().mul_(0.1).view(16, channels, 3, 3);
            var y = nn.functional.conv2d(x, w, padding: [1, 1]);
            var columns = nn.functional.unfold(x.to(float64), 3, padding: 1);                  // [2, c·9, 256]
            var reference = w.to(float64).view(16, -1).matmul(columns).view(2, 16, 16, 16);
            double scale = reference.abs().max().item<double>();
            double error = (y.to(float64) - reference).abs().max().item<double>() / scale;
            if (!double.IsFinite(error)) return double.PositiveInfinity;
            worst = Math.Max(worst, error);
        }
        return worst;
    }
}
