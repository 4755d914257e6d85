using Pipelines.Validation;

namespace Pipelines.Core.Tests.Validation;

public sealed class QuantityTests
{
    [Theory]
    [InlineData("500m", 0.5)]
    [InlineData("1", 1)]
    [InlineData("1000m", 1)]
    [InlineData("1Ki", 1024)]
    [InlineData("1.5Gi", 1610612736)]
    [InlineData("2e3", 2000)]
    [InlineData("2E-3", 0.002)]
    [InlineData("1k", 1000)]
    [InlineData("1M", 1000000)]
    [InlineData(".5", 0.5)]
    [InlineData("5.", 5)]
    [InlineData("+1", 1)]
    public void Valid_quantities_parse_to_their_value(string text, double expected)
    {
        Assert.True(Quantity.TryParse(text, out var value));
        Assert.Equal((decimal)expected, value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1 Gi")]
    [InlineData("1gi")]
    [InlineData("1GB")]
    [InlineData("Gi")]
    [InlineData(".")]
    [InlineData("1e")]
    [InlineData("1e99")]
    [InlineData("1..2")]
    public void Invalid_quantities_do_not_parse(string text) => Assert.False(Quantity.TryParse(text, out _));

    [Fact]
    public void A_negative_quantity_is_not_a_valid_resource() => Assert.False(Quantity.IsValidResource("-1"));
}
