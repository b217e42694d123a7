using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KbSr.Model.Baselines;

/// <summary>
/// SFTMD's residual block (Gu et al., IKC, CVPR 2019, Fig. 4): two SFT layers conditioned on the stretched kernel
/// code, x + conv3(ReLU(SFT(conv3(ReLU(SFT(x, maps))), maps))). The SFT layer is the project's
/// <see cref="SftLayer"/> (the same layer KB-SR uses, hidden width and slope as IKC's).
/// feature [B, C, h, w], maps [B, t, h, w] → [B, C, h, w].
/// </summary>
public sealed class SftResidualBlock : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly SftLayer sft1;
    private readonly Conv2d conv1;
    private readonly SftLayer sft2;
    private readonly Conv2d conv2;

    public SftResidualBlock(int channels, int codeLength, int hidden, double slope) : base(nameof(SftResidualBlock))
    {
        sft1 = new SftLayer(channels, codeLength, hidden, slope);
        conv1 = nn.Conv2d(channels, channels, kernel_size: 3, padding: 1);
        sft2 = new SftLayer(channels, codeLength, hidden, slope);
        conv2 = nn.Conv2d(channels, channels, kernel_size: 3, padding: 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor feature, Tensor maps)
    {
        var x = nn.functional.relu(sft1.call(feature, maps));
        x = nn.functional.relu(sft2.call(conv1.call(x), maps));
        return feature + conv2.call(x);
    }
}
