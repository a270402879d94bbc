using Xunit.Abstractions;
using Xunit.Sdk;

namespace BuildsRs.Tests.Fixtures;

/// <summary>The place of a test in a class whose tests share one deployment and change it as they go.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class StepAttribute(int order) : Attribute
{
    public int Order { get; } = order;
}

/// <summary>Runs a class's tests in the order of their <see cref="StepAttribute"/>.</summary>
public sealed class StepOrderer : ITestCaseOrderer
{
    public const string TypeName = "BuildsRs.Tests.Fixtures.StepOrderer";
    public const string AssemblyName = "BuildsRs.Tests.Deployment";

    public IEnumerable<TTestCase> OrderTestCases<TTestCase>(IEnumerable<TTestCase> testCases) where TTestCase : ITestCase =>
        testCases.OrderBy(test => test.TestMethod.Method.GetCustomAttributes(typeof(StepAttribute).AssemblyQualifiedName)
            .Select(step => step.GetConstructorArguments().Cast<int>().Single()).DefaultIfEmpty(int.MaxValue).First());
}
