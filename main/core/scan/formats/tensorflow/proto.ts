// The few TensorFlow protobuf messages Assay needs, declared from the field numbers of
// tensorflow/core/protobuf/saved_model.proto, meta_graph.proto and tensorflow/core/framework/
// {graph,node_def,function,attr_value,op_def}.proto. Fields we never read are left out: protobufjs
// skips unknown fields without allocating them (large constant tensors in AttrValue.tensor).
import protobuf from 'protobufjs';

const SCHEMA = `
syntax = "proto3";
package assay.tf;

message SavedModel {
  int64 saved_model_schema_version = 1;
  repeated MetaGraphDef meta_graphs = 2;
}
message MetaGraphDef {
  MetaInfoDef meta_info_def = 1;
  GraphDef graph_def = 2;
}
message MetaInfoDef {
  string meta_graph_version = 1;
  repeated string tags = 4;
  string tensorflow_version = 5;
}
message GraphDef {
  repeated NodeDef node = 1;
  FunctionDefLibrary library = 2;
}
message FunctionDefLibrary {
  repeated FunctionDef function = 1;
}
message FunctionDef {
  OpDef signature = 1;
  repeated NodeDef node_def = 3;
}
message OpDef {
  string name = 1;
}
message NodeDef {
  string name = 1;
  string op = 2;
  repeated string input = 3;
  string device = 4;
  map<string, AttrValue> attr = 5;
}
message AttrValue {
  oneof value {
    ListValue list = 1;
    bytes s = 2;
    int64 i = 3;
    float f = 4;
    bool b = 5;
    int32 type = 6;
    string placeholder = 9;
    NameAttrList func = 10;
  }
}
message ListValue {
  repeated bytes s = 2;
  repeated NameAttrList func = 9;
}
message NameAttrList {
  string name = 1;
  map<string, AttrValue> attr = 2;
}
`;

const root = protobuf.parse(SCHEMA, { keepCase: true }).root;

export const TF = {
  SavedModel: root.lookupType('assay.tf.SavedModel'),
  MetaGraphDef: root.lookupType('assay.tf.MetaGraphDef'),
  GraphDef: root.lookupType('assay.tf.GraphDef'),
  FunctionDefLibrary: root.lookupType('assay.tf.FunctionDefLibrary'),
  FunctionDef: root.lookupType('assay.tf.FunctionDef'),
  OpDef: root.lookupType('assay.tf.OpDef'),
  NodeDef: root.lookupType('assay.tf.NodeDef'),
  AttrValue: root.lookupType('assay.tf.AttrValue'),
};

/** The fields of a decoded NodeDef that the analyzer reads. */
export interface DecodedNode {
  name?: string;
  op?: string;
  attr?: Record<string, { s?: Uint8Array; func?: { name?: string }; list?: { func?: { name?: string }[] } }>;
}
