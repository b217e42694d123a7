using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KbSr.Model.Baselines;

/// <summary>
/// Channel attention (RCAN, Zhang et al., ECCV 2018; DAN's CALayer): each channel scaled by a weight in (0, 1) computed
/// from the global average of all channels — 1×1 conv C → C/r, LeakyReLU(0.2), 1×1 conv C/r → C, sigmoid.
/// r = 16 in DAN's code; at least one hidden channel for the small presets. [B, C, h, w] → [B, C, h, w].
/// </summary>
public sealed class ChannelAttention : nn.Module<Tensor, Tensor>
{
    private readonly Sequential body;

    public ChannelAttention(int channels, int reduction = 16, double slope = 0.2) : base(nameof(ChannelAttention))
    {
        int hidden = Math.Max(1, channels / reduction);
        body = nn.Sequential(("conv1", nn.Conv2d(channels, hidden, kernel_size: 1)), ("act", nn.LeakyReLU(negative_slope: slope)),
                             ("conv2", nn.Conv2d(hidden, channels, kernel_size: 1)), ("gate", nn.Sigmoid()));
        RegisterComponents();
    }

    /// <summary>The hidden width for <paramref name="channels"/> (shared with the tests' parameter counts).</summary>
    public static int Hidden(int channels, int reduction = 16) => Math.Max(1, channels / reduction);

    public override Tensor forward(Tensor x) => x * body.call(x.mean([2, 3], keepdim: true));
}
