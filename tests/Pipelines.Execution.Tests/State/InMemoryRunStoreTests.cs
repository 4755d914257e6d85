using Pipelines.Execution.State;

namespace Pipelines.Execution.Tests.State;

public sealed class InMemoryRunStoreTests : RunStoreContractTests
{
    protected override IRunStore CreateStore() => new InMemoryRunStore();

    [Fact]
    public void Its_location_is_memory() => Assert.Equal("memory", Store.Location);

    [Fact]
    public void Each_instance_has_an_id_of_its_own()
    {
        using var other = new InMemoryRunStore();

        Assert.NotEqual(Store.StoreId, other.StoreId);
    }

    [Fact]
    public void Locks_belong_to_one_instance()
    {
        using var other = new InMemoryRunStore();
        using var mine = Store.TryLockRun("etl", "r1", out _);

        using var theirs = other.TryLockRun("etl", "r1", out _);

        Assert.NotNull(mine);
        Assert.NotNull(theirs);
    }
}
