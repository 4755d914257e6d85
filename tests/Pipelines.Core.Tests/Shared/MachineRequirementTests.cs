using Pipelines.Tests.Shared;

namespace Pipelines.Core.Tests.Shared;

public sealed class MachineRequirementTests
{
    [Fact]
    public void An_unmet_requirement_skips_with_the_reason()
    {
        var outcome = MachineRequirement.Outcome("flock is not installed", _ => null);

        Assert.Equal((false, "flock is not installed"), outcome);
    }

    [Theory]
    [InlineData("true")]
    [InlineData("TRUE")]
    public void Under_ci_an_unmet_requirement_fails_instead_of_skipping(string ci)
    {
        var outcome = MachineRequirement.Outcome("flock is not installed", n => n == "CI" ? ci : null);

        Assert.Equal((true, "CI=true: this test must run, but flock is not installed"), outcome);
    }
}
