using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KbSr.Model.Baselines;

/// <summary>
/// DAN's conditional residual block (Luo et al., NeurIPS 2020, Fig. 3; CRB_Layer in its code): the feature f and the
/// condition c are concatenated, then conv3 (C + D → C + D), LeakyReLU(0.2), conv3 (C + D → C), channel attention, and
/// the result is added to f; c passes unchanged to the next block. The Restorer's condition is the stretched kernel
/// code, the Estimator's the SR image's features. f [B, C, h, w], c [B, D, h, w] → [B, C, h, w].
/// </summary>
public sealed class ConditionalResidualBlock : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Sequential body;

    public ConditionalResidualBlock(int channels, int conditionChannels, double slope) : base(nameof(ConditionalResidualBlock))
    {
        int both = channels + conditionChannels;
        body = nn.Sequential(("conv1", nn.Conv2d(both, both, kernel_size: 3, padding: 1)), ("act", nn.LeakyReLU(negative_slope: slope)),
                             ("conv2", nn.Conv2d(both, channels, kernel_size: 3, padding: 1)), ("attention", new ChannelAttention(channels, slope: slope)));
        RegisterComponents();
    }

    public override Tensor forward(Tensor feature, Tensor condition) => feature + body.call(cat([feature, condition], dim: 1));
}
