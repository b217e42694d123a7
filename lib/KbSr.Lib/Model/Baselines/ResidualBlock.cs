using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KbSr.Model.Baselines;

/// <summary>
/// SRResNet's residual block (Ledig et al., CVPR 2017, Fig. 4) without batch normalisation, as IKC and EDSR train it:
/// x + conv3(PReLU(conv3(x))). [B, C, h, w] → [B, C, h, w].
/// </summary>
public sealed class ResidualBlock : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly PReLU act;
    private readonly Conv2d conv2;

    public ResidualBlock(int channels) : base(nameof(ResidualBlock))
    {
        conv1 = nn.Conv2d(channels, channels, kernel_size: 3, padding: 1);
        act = nn.PReLU(num_parameters: 1, init: 0.25);
        conv2 = nn.Conv2d(channels, channels, kernel_size: 3, padding: 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => x + conv2.call(act.call(conv1.call(x)));
}
