import { project32, type DefaultProps, type LayerProps } from '@deck.gl/core';
import type { ShaderModule } from '@luma.gl/shadertools';
import { VertexLayer } from './vertex-layer.js';

/**
 * Hairlines (one device pixel), as GL lines: the embedded basemap's borders. deck.gl's PathLayer
 * draws each segment as an instance, which where WebGL runs on the CPU made the 1:50m borders
 * cost a second and more a frame; as plain lines they cost next to nothing.
 */
export interface LinesLayerProps extends LayerProps {
  /** Segments as pairs of positions: vertex 2i to vertex 2i+1; `length` counts vertices. */
  data: { length: number; attributes: { getPosition: { value: Float64Array; size: 2 } } };
  color?: [number, number, number];
}

interface LinesUniforms {
  color: [number, number, number];
}

const uniformBlock = /* glsl */ `\
layout(std140) uniform linesUniforms {
  vec3 color;
} lines;
`;

const linesUniforms = {
  name: 'lines',
  vs: uniformBlock,
  fs: uniformBlock,
  uniformTypes: { color: 'vec3<f32>' },
} as const satisfies ShaderModule<LinesUniforms>;

const vs = /* glsl */ `\
#version 300 es
#define SHADER_NAME cairn-lines-vertex-shader
in vec3 positions;
in vec3 positions64Low;
void main(void) {
  geometry.worldPosition = positions;
  gl_Position = project_position_to_clipspace(positions, positions64Low, vec3(0.0), geometry.position);
}
`;

const fs = /* glsl */ `\
#version 300 es
#define SHADER_NAME cairn-lines-fragment-shader
precision highp float;
out vec4 fragColor;
void main(void) {
  fragColor = vec4(lines.color, layer.opacity);
}
`;

const defaultProps: DefaultProps<LinesLayerProps> = {
  color: [0, 0, 0],
};

export class LinesLayer extends VertexLayer<Required<Pick<LinesLayerProps, 'color'>> & LinesLayerProps> {
  static override layerName = 'CairnLinesLayer';
  static override defaultProps = defaultProps;
  protected readonly topology = 'line-list';

  override getShaders() {
    return super.getShaders({ vs, fs, modules: [project32, linesUniforms] });
  }

  override initializeState(): void {
    const attributes = this.getAttributeManager()!;
    // Not pickable: no picking colours, and every attribute steps per vertex.
    attributes.remove(['instancePickingColors']);
    attributes.add({ positions: { size: 3, type: 'float64', fp64: this.use64bitPositions(), accessor: 'getPosition' } });
  }

  override draw(): void {
    const { model } = this.state;
    if (!model) return;
    model.shaderInputs.setProps({ lines: { color: this.props.color.map((channel) => channel / 255) as [number, number, number] } });
    this.drawVertices(model);
  }
}

/** The segments of lines, as `LinesLayer` takes them. */
export function segments(lines: GeoJSON.Position[][]): LinesLayerProps['data'] {
  let count = 0;
  for (const line of lines) count += Math.max(0, line.length - 1) * 2;
  const value = new Float64Array(count * 2);
  let at = 0;
  for (const line of lines) {
    for (let index = 1; index < line.length; index++) {
      value[at++] = line[index - 1]![0]!;
      value[at++] = line[index - 1]![1]!;
      value[at++] = line[index]![0]!;
      value[at++] = line[index]![1]!;
    }
  }
  return { length: count, attributes: { getPosition: { value, size: 2 } } };
}
