import { Layer, type UpdateParameters } from '@deck.gl/core';
import { Model } from '@luma.gl/engine';

/**
 * The base of the map's own deck.gl layers that draw one vertex per datum (GL points, GL lines)
 * rather than an instance each, which costs ~30 µs apiece where WebGL runs on the CPU: every
 * attribute steps per vertex, and the model draws as many vertices as there are data.
 */
export abstract class VertexLayer<PropsT extends object> extends Layer<PropsT> {
  declare state: { model?: Model };
  protected abstract readonly topology: 'point-list' | 'line-list';

  override updateState(params: UpdateParameters<this>): void {
    super.updateState(params);
    if (!params.changeFlags.extensionsChanged && this.state.model) return;
    this.state.model?.destroy();
    this.setState({
      model: new Model(this.context.device, {
        ...this.getShaders({}),
        id: this.props.id,
        topology: this.topology,
        bufferLayout: this.getAttributeManager()!.getBufferLayouts({ isInstanced: false }),
        isInstanced: false,
      }),
    });
    this.getAttributeManager()!.invalidateAll();
  }

  /** Draws every datum with the model, once the layer has set its uniforms. */
  protected drawVertices(model: Model): void {
    model.setVertexCount(this.getNumInstances());
    model.draw(this.context.renderPass);
  }
}
