package io.ringserve.models;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.tensorflow.ConcreteFunction;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.NodeDef;

/**
 * Finds an op that changes a model's state among those a {@code Session.run} of some fetches would run: one that
 * assigns or scatters into a variable, applies an optimizer, changes a lookup table, a queue or a staging area,
 * counts up, or writes a file or a summary. Follows the fetches' data and control inputs through the graph and into
 * every function they call (TF2 SavedModels run their signatures as {@code StatefulPartitionedCall}s), counting a
 * called function's whole body. Reads (of variables, tables, files) and random numbers do not count.
 *
 * <p>Used so that made-up inputs are never run through a signature that would change what the model answers later
 * (TF Serving's {@code saved_model_counter}: {@code incr_counter_by} runs {@code AssignAdd}). Not thread-safe with
 * the graph's closing: the caller keeps the graph open.
 */
final class StateChangingOps {
    /** Ops that change state, by exact type. */
    private static final Set<String> TYPES = Set.of("ScatterUpdate", "ScatterAdd", "ScatterSub", "ScatterMul",
            "ScatterDiv", "ScatterMin", "ScatterMax", "ScatterNdUpdate", "ScatterNdAdd", "ScatterNdSub",
            "ScatterNdMin", "ScatterNdMax", "CountUpTo", "ResourceCountUpTo", "DestroyResourceOp",
            "DestroyTemporaryVariable", "StridedSliceAssign", "ResourceStridedSliceAssign", "MergeV2Checkpoints",
            "MakeIterator", "StageClear", "MapClear", "OrderedMapClear");
    /** Ops that change state, by the start of their type. */
    private static final List<String> PREFIXES = List.of("Assign", "ResourceScatter", "ResourceApply",
            "ResourceSparseApply", "Apply", "SparseApply", "LookupTableInsert", "LookupTableImport",
            "LookupTableRemove", "InitializeTable", "QueueEnqueue", "QueueDequeue", "QueueClose", "Stage", "Unstage",
            "MapStage", "MapUnstage", "OrderedMapStage", "OrderedMapUnstage", "Accumulator", "ResourceAccumulator",
            "ConditionalAccumulator", "SparseAccumulator", "Barrier", "Write", "Save", "CreateSummary",
            "FlushSummary", "CloseSummary", "ImportEvent", "IteratorGetNext");
    /** The attributes that name the functions a graph node calls, by the node's type. */
    private static final Map<String, List<String>> FUNCTION_ATTRS = Map.of(
            "StatefulPartitionedCall", List.of("f"), "PartitionedCall", List.of("f"),
            "If", List.of("then_branch", "else_branch"), "StatelessIf", List.of("then_branch", "else_branch"),
            "While", List.of("cond", "body"), "StatelessWhile", List.of("cond", "body"),
            "Case", List.of("branches"), "StatelessCase", List.of("branches"));

    private StateChangingOps() {
    }

    /** True for an op type that changes state. */
    static boolean changesState(final String type) {
        return TYPES.contains(type) || PREFIXES.stream().anyMatch(type::startsWith);
    }

    /**
     * The first state-changing op a run of {@code fetches} (tensor names, {@code op:index} or {@code op}) would run,
     * described as {@code name (type)}, or empty when there is none.
     */
    static Optional<String> find(final Graph graph, final Collection<String> fetches) {
        final Deque<GraphOperation> pending = new ArrayDeque<>();
        for (String fetch : fetches) {
            final int colon = fetch.lastIndexOf(':');
            final Operation op = graph.operation(colon < 0 ? fetch : fetch.substring(0, colon));
            if (op instanceof GraphOperation graphOp) {
                pending.add(graphOp);
            }
        }
        final Set<String> library = functionNames(graph);
        final Set<String> seenOps = new HashSet<>();
        final Set<String> seenFunctions = new HashSet<>();
        while (!pending.isEmpty()) {
            final GraphOperation op = pending.poll();
            if (!seenOps.add(op.name())) {
                continue;
            }
            if (changesState(op.type())) {
                return Optional.of(op.name() + " (" + op.type() + ")");
            }
            final Deque<String> functions = new ArrayDeque<>();
            if (library.contains(op.type())) {
                functions.add(op.type());
            }
            for (String attr : FUNCTION_ATTRS.getOrDefault(op.type(), List.of())) {
                addFunctions(op.attributes().getAttrValueProto(attr), functions);
            }
            final Optional<String> inFunction = findInFunctions(graph, library, functions, seenFunctions);
            if (inFunction.isPresent()) {
                return Optional.of(op.name() + " calls " + inFunction.get());
            }
            for (Operand<?> input : op.inputs()) {
                if (input.op() instanceof GraphOperation inputOp) {
                    pending.add(inputOp);
                }
            }
            pending.addAll(op.controlInputs());
        }
        return Optional.empty();
    }

    private static Set<String> functionNames(final Graph graph) {
        final Set<String> names = new HashSet<>();
        for (ConcreteFunction function : graph.getFunctions()) {
            try (function) {
                names.add(function.getDefinedName());
            }
        }
        return names;
    }

    private static Optional<String> findInFunctions(final Graph graph, final Set<String> library,
                                                    final Deque<String> functions, final Set<String> seen) {
        while (!functions.isEmpty()) {
            final String name = functions.poll();
            if (!seen.add(name) || !library.contains(name)) {
                continue;
            }
            final FunctionDef function;
            try (ConcreteFunction concrete = graph.getFunction(name)) {
                function = concrete.getFunctionDef();
            }
            for (NodeDef node : function.getNodeDefList()) {
                if (changesState(node.getOp())) {
                    return Optional.of(name + "/" + node.getName() + " (" + node.getOp() + ")");
                }
                if (library.contains(node.getOp())) {
                    functions.add(node.getOp());
                }
                node.getAttrMap().values().forEach(value -> addFunctions(value, functions));
            }
        }
        return Optional.empty();
    }

    private static void addFunctions(final AttrValue value, final Collection<String> functions) {
        if (value.hasFunc()) {
            functions.add(value.getFunc().getName());
        }
        value.getList().getFuncList().forEach(func -> functions.add(func.getName()));
    }
}
