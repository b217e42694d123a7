using KbSr.Model;
using TorchSharp;
using static KbSr.Tests.Model.ModelFixtures;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace KbSr.Tests.Model;

public sealed class SftLayerTests
{
    [Fact]
    public void SftLayer_EqualsFeatureTimesGammaPlusBeta()
    {
        using var scope = NewDisposeScope();
        using var sft = new SftLayer(featureChannels: 4, conditionChannels: 3, hidden: 5, slope: 0.2);
        var p = sft.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        var feature = randn(2, 4, 6, 5);
        var condition = rand(2, 3, 6, 5);
        var z = cat([feature, condition], 1);
        Tensor Conv(Tensor x, string n) => F.conv2d(x, p[n + ".weight"], p[n + ".bias"], padding: [1]);
        var gamma = sigmoid(Conv(F.leaky_relu(Conv(z, "scale_conv1"), 0.2), "scale_conv2"));
        var beta = Conv(F.leaky_relu(Conv(z, "shift_conv1"), 0.2), "shift_conv2");
        Assert.Equal(new long[] { 5, 7, 3, 3 }, p["scale_conv1.weight"].shape);
        Close(sft.call(feature, condition), feature * gamma + beta, 1e-6, "SFT");
    }
}
