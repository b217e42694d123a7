using TorchSharp;
using static TorchSharp.torch;

namespace KbSr.Model.Baselines;

/// <summary>
/// The sub-pixel upsampler of SRResNet and SFTMD (Shi et al., CVPR 2016): per factor-r stage, conv3 C → r²·C, pixel
/// shuffle ×r, activation. ×2 and ×4 (and ×8) use stages of r = 2, ×3 one stage of r = 3 — SRResNet's layout and
/// IKC's SFTMD at ×2, ×3, ×4. [B, C, h, w] → [B, C, s·h, s·w].
/// </summary>
public sealed class PixelShuffleTail : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Sequential stages;

    /// <param name="channels">C.</param>
    /// <param name="scale">s: 2, 3, 4 or 8.</param>
    /// <param name="activation">Made once per stage (SRResNet: PReLU; SFTMD: LeakyReLU 0.2).</param>
    public PixelShuffleTail(int channels, int scale, Func<nn.Module<Tensor, Tensor>> activation) : base(nameof(PixelShuffleTail))
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        foreach (var (r, i) in Factors(scale).Select((r, i) => (r, i)))
        {
            layers.Add(($"conv{i + 1}", nn.Conv2d(channels, channels * r * r, kernel_size: 3, padding: 1)));
            layers.Add(($"shuffle{i + 1}", nn.PixelShuffle(r)));
            layers.Add(($"act{i + 1}", activation()));
        }
        stages = nn.Sequential(layers);
        RegisterComponents();
    }

    /// <summary>The factor of each stage: ×3 → [3]; ×2^n → n × [2].</summary>
    public static IReadOnlyList<int> Factors(int scale) => scale switch
    {
        3 => [3],
        2 or 4 or 8 => Enumerable.Repeat(2, (int)Math.Round(Math.Log2(scale))).ToArray(),
        _ => throw new ArgumentOutOfRangeException(nameof(scale), scale, "expected 2, 3, 4 or 8"),
    };

    public override Tensor forward(Tensor x) => stages.call(x);
}
